using StackExchange.Redis;

namespace Stox.Gateway.RateLimiting;

public readonly record struct RateLimitDecision(bool Allowed, int Limit, int Remaining, TimeSpan ResetAfter);

/// <summary>
/// A fixed-window counter in Redis, so the limit holds across every gateway replica: one atomic script
/// counts the request and starts the window's expiry on its first hit.
/// </summary>
public sealed class RedisFixedWindowLimiter(IConnectionMultiplexer redis)
{
    private const string Script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return { count, ttl }
        """;

    /// <summary>Counts one hit. Throws <see cref="RedisException"/> or <see cref="RedisTimeoutException"/> when Redis cannot answer.</summary>
    public async Task<RateLimitDecision> HitAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // StackExchange.Redis sends the script by its SHA-1 once the server has it, and reloads it after a restart.
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, [$"ratelimit:{key}"], [(long)window.TotalMilliseconds]))!;
        var count = (long)result[0];
        var resetAfter = TimeSpan.FromMilliseconds(Math.Max(0, (long)result[1]));
        return new RateLimitDecision(count <= limit, limit, (int)Math.Max(0, limit - count), resetAfter);
    }
}
