namespace Stox.Gateway.Edge;

/// <summary>
/// Headers through which the gateway tells services who the caller is. A client can never set them:
/// they are removed from every incoming request before anything else looks at it.
/// </summary>
internal sealed class StripIdentityHeadersMiddleware(RequestDelegate next)
{
    public const string Prefix = "X-Stox-";

    public Task InvokeAsync(HttpContext context)
    {
        var spoofed = context.Request.Headers.Keys
            .Where(k => k.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || k.StartsWith("X-User-", StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var header in spoofed)
        {
            context.Request.Headers.Remove(header);
        }

        return next(context);
    }
}
