using Stox.ServiceDefaults.Redis;

namespace Stox.Gateway.RateLimiting;

public readonly record struct RateLimitDecision(bool Allowed, int Limit, int Remaining, TimeSpan ResetAfter);

/// <summary>
/// A fixed-window counter in Redis, so the limit holds across every gateway replica: one atomic script
/// counts the request and starts the window's expiry on its first hit.
/// </summary>
public sealed class RedisFixedWindowLimiter(IRedisConnection redis)
{
    private const string Script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return { count, ttl }
        """;

    public async Task<RateLimitDecision> HitAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var result = await redis.ScriptEvaluateAsync(Script, [$"ratelimit:{key}"], [(long)window.TotalMilliseconds], cancellationToken: cancellationToken);
        var count = result[0].AsInt64();
        var resetAfter = TimeSpan.FromMilliseconds(Math.Max(0, result[1].AsInt64()));
        return new RateLimitDecision(count <= limit, limit, (int)Math.Max(0, limit - count), resetAfter);
    }
}
