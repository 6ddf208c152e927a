namespace Stox.Frontend.Sessions;

/// <summary>
/// Passes the browser's address on to auth and jobs, so that their per-IP limits count people, not this app
/// (auth believes X-Forwarded-For from loopback and its known proxy networks).
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
