using Yarp.ReverseProxy.Forwarder;

namespace Stox.Gateway.Routing;

/// <summary>
/// When a replica cannot be reached at all (connection refused: it just died) and the request is safe to
/// repeat, tries the next healthy replica instead of answering 502. Health checks then take the dead
/// replica out of rotation, so this covers the seconds before they notice.
/// </summary>
internal static class RetryOtherDestinationMiddleware
{
    private const int MaxAttempts = 3;

    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        // Load balancing narrows AvailableDestinations to the one it picked: keep the full list for retries.
        var candidates = proxy.AvailableDestinations;
        for (var attempt = 1; ; attempt++)
        {
            proxy.AvailableDestinations = candidates;
            await next();
            var error = context.GetForwarderErrorFeature();
            if (error?.Error != ForwarderError.Request || context.Response.HasStarted || !IsSafe(context.Request.Method) || attempt == MaxAttempts)
            {
                return;
            }

            candidates = candidates.Where(d => d != proxy.ProxiedDestination).ToList();
            if (candidates.Count == 0)
            {
                return;
            }

            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);
}
