using Microsoft.AspNetCore.Http.Timeouts;
using Stox.Gateway.Edge;

namespace Stox.Gateway.Routing;

/// <summary>
/// Gives every failure between the gateway and a replica a ProblemDetails body. A body announced larger than the
/// route allows is refused before a byte of it is read (413); a route timeout is a 504 (YARP alone reports the
/// cancelled request as a 400); an unreachable replica is a 502 and no healthy replica a 503.
/// </summary>
internal static class ProxyProblemsMiddleware
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var limit = context.GetReverseProxyFeature().Route.Config.MaxRequestBodySize;
        if (limit is > 0 && context.Request.ContentLength > limit)
        {
            await EdgeProblems.TooLarge(limit.Value).ExecuteAsync(context);
            return;
        }

        await next();
        if (context.Response.HasStarted)
        {
            return;
        }

        var timedOut = context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
        var problem = timedOut ? EdgeProblems.TimedOut() : context.GetForwarderErrorFeature() is null ? null : context.Response.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge when limit is > 0 => EdgeProblems.TooLarge(limit.Value),
            StatusCodes.Status502BadGateway => EdgeProblems.BadGateway(),
            StatusCodes.Status503ServiceUnavailable => EdgeProblems.Unavailable(),
            StatusCodes.Status504GatewayTimeout => EdgeProblems.TimedOut(),
            _ => null, // 400: the client went away or sent a broken body; there is no one to tell.
        };
        // No Clear(): YARP copies no header of a failed exchange, and the edge's own (X-Request-Id, RateLimit-*) stay.
        if (problem is not null)
        {
            await problem.ExecuteAsync(context);
        }
    }
}
