using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Stox.Gateway.Edge;
using Stox.Gateway.Routing;
using StackExchange.Redis;

namespace Stox.Gateway.RateLimiting;

/// <summary>
/// Applies the route's rate limit, per user when the caller is authenticated and per client IP otherwise,
/// and answers 429 with Retry-After. Every response carries RateLimit-Limit/Remaining/Reset. If Redis cannot
/// be reached the request is let through (availability over strictness) and a warning is logged.
/// </summary>
internal sealed partial class RateLimitingMiddleware(
    RequestDelegate next,
    RedisFixedWindowLimiter limiter,
    IOptionsMonitor<GatewayOptions> options,
    GatewayMetrics metrics,
    ILogger<RateLimitingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var settings = options.CurrentValue.RateLimits;
        var route = context.GetGatewayRoute();
        if (!settings.Enabled || route is null)
        {
            await next(context);
            return;
        }

        var userId = context.User.FindFirstValue("sub");
        var policy = route.RateLimit == RateLimitPolicy.Anonymous && userId is not null ? RateLimitPolicy.Authenticated : route.RateLimit;
        var limit = policy switch
        {
            RateLimitPolicy.Credentials => settings.Credentials,
            RateLimitPolicy.Uploads => settings.Uploads,
            RateLimitPolicy.Generations => settings.Generations,
            RateLimitPolicy.Authenticated => settings.Authenticated,
            _ => settings.Anonymous,
        };
        var partition = userId is not null && policy != RateLimitPolicy.Credentials
            ? $"user:{userId}"
            : $"ip:{context.Connection.RemoteIpAddress}";

        RateLimitDecision decision;
        try
        {
            decision = await limiter.HitAsync($"{policy}:{partition}", limit, settings.Window, context.RequestAborted);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            LogRedisUnavailable(logger, ex);
            await next(context);
            return;
        }

        var headers = context.Response.Headers;
        var reset = Math.Max(1, (int)Math.Ceiling(decision.ResetAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = reset;
        if (decision.Allowed)
        {
            await next(context);
            return;
        }

        metrics.RateLimited(route.Id, policy.ToString());
        LogRejected(logger, route.Id, policy, partition);
        headers.RetryAfter = reset;
        await EdgeProblems.RateLimited(decision.Limit, reset).ExecuteAsync(context);
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Rate limit {Policy} reached on route {Route} by {Client}.")]
    private static partial void LogRejected(ILogger logger, string route, RateLimitPolicy policy, string client);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Rate limiting skipped: Redis is not available.")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception);
}
