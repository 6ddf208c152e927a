namespace Stox.Frontend.Sessions;

/// <summary>
/// Passes the browser's address on to auth, jobs and the gateway, so that their per-IP limits count people, not this app
/// (each believes X-Forwarded-For only from loopback and the proxies it is told to know).
/// </summary>
public sealed class ForwardClientAddressHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext?.Connection.RemoteIpAddress is { } address)
        {
            request.Headers.Remove("X-Forwarded-For");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString());
        }

        return base.SendAsync(request, cancellationToken);
    }
}
