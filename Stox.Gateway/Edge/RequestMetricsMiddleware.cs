using System.Diagnostics;
using Stox.Gateway.Routing;

namespace Stox.Gateway.Edge;

/// <summary>Counts every request and its duration by public route (after routing, so the route is known).</summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, GatewayMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = context.GetGatewayRoute()?.Id ?? "gateway";
            metrics.RequestHandled(route, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }
}
