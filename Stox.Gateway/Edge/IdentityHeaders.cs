using System.Security.Claims;
using Stox.ServiceDefaults.Authentication;
using Yarp.ReverseProxy.Transforms;

namespace Stox.Gateway.Edge;

/// <summary>Tells the services who the validated caller is, in headers only the gateway can set.</summary>
internal static class IdentityHeaders
{
    public const string UserId = "X-Stox-User-Id";
    public const string Role = "X-Stox-User-Role";
    public const string Tier = "X-Stox-User-Tier";

    public static ValueTask ForwardAsync(RequestTransformContext context)
    {
        var user = context.HttpContext.User;
        if (user.Identity?.IsAuthenticated == true)
        {
            context.ProxyRequest.Headers.TryAddWithoutValidation(UserId, user.FindFirstValue(StoxJwtDefaults.Claims.Subject));
            context.ProxyRequest.Headers.TryAddWithoutValidation(Role, user.FindFirstValue(StoxJwtDefaults.Claims.Role));
            context.ProxyRequest.Headers.TryAddWithoutValidation(Tier, user.FindFirstValue(StoxJwtDefaults.Claims.Tier));
        }

        return ValueTask.CompletedTask;
    }
}

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
