using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stox.ServiceDefaults.Health;

namespace Stox.ServiceDefaults.Telemetry;

/// <summary>
/// Gives the ASP.NET Core request activity the HTTP semantic-convention tags the missing instrumentation
/// package would add, and keeps health probes out of traces (with their child spans, via the parent's flag).
/// </summary>
internal sealed class RequestTelemetryMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var activity = Activity.Current;
        if (activity is null)
        {
            await next(context);
            return;
        }

        if (HealthEndpoints.IsHealthRequest(context.Request.Path))
        {
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            await next(context);
            return;
        }

        var request = context.Request;
        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("server.address", request.Host.Host);
        activity.SetTag("user_agent.original", request.Headers.UserAgent.ToString());
        try
        {
            await next(context);
        }
        finally
        {
            var status = context.Response.StatusCode;
            activity.SetTag("http.response.status_code", status);
            if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
            {
                activity.SetTag("http.route", route);
                activity.DisplayName = $"{request.Method} {route}";
            }

            if (status >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }
}
