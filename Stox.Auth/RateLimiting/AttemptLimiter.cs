using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Stox.Auth.RateLimiting;

/// <summary>
/// Counts attempts in Redis (fixed windows, shared by every replica) and says when a caller must wait. Keys:
/// <c>stox:auth:rl:{kind}:{subject}</c>, where an account subject is a SHA-256 of the email (no addresses in Redis).
/// Checked before any password hashing, so a flood costs us a Redis round trip, not a PBKDF2.
/// If Redis is unreachable the limiter lets requests through and logs an error (passwords are still checked).
/// </summary>
public sealed partial class AttemptLimiter(IConnectionMultiplexer redis, IOptions<AuthOptions> options, ILogger<AttemptLimiter> logger)
{
    // Returns the longest remaining window (ms) among the counters at or over their limit; 0 when all are under.
    private const string CheckScript = """
        local wait = 0
        for i, key in ipairs(KEYS) do
          local limit = tonumber(ARGV[i])
          if limit > 0 then
            local count = tonumber(redis.call('GET', key) or '0')
            if count >= limit then
              local ttl = redis.call('PTTL', key)
              if ttl > wait then wait = ttl end
            end
          end
        end
        return wait
        """;

    // Increments every counter, starting its window on the first hit.
    private const string HitScript = """
        for i, key in ipairs(KEYS) do
          if redis.call('INCR', key) == 1 then
            redis.call('PEXPIRE', key, ARGV[1])
          end
        end
        return 0
        """;

    private RateLimitOptions Limits => options.Value.RateLimits;

    /// <summary>How long the caller must wait before trying to log in again; null when it may go on.</summary>
    public Task<TimeSpan?> CheckLoginAsync(string ip, string? email, CancellationToken cancellationToken) =>
        CheckAsync(LoginKeys(ip, email), [Limits.FailuresPerIp, Limits.FailuresPerAccount], cancellationToken);

    public Task RecordLoginFailureAsync(string ip, string? email, CancellationToken cancellationToken) =>
        HitAsync(LoginKeys(ip, email), Limits.FailureWindow, cancellationToken);

    /// <summary>A successful login clears the account's failures (not the IP's).</summary>
    public async Task ResetAccountAsync(string email, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            await redis.GetDatabase().KeyDeleteAsync(AccountKey(email)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            LogRedisFailed(logger, ex);
        }
    }

    /// <summary>Password checks on a signed-in account (password change) share the account's failure budget.</summary>
    public Task<TimeSpan?> CheckAccountAsync(string email, CancellationToken cancellationToken) =>
        CheckAsync([AccountKey(email)], [Limits.FailuresPerAccount], cancellationToken);

    public Task RecordAccountFailureAsync(string email, CancellationToken cancellationToken) =>
        HitAsync([AccountKey(email)], Limits.FailureWindow, cancellationToken);

    /// <summary>Counts a registration attempt from <paramref name="ip"/> and says whether it must wait first.</summary>
    public async Task<TimeSpan?> HitRegistrationAsync(string ip, CancellationToken cancellationToken)
    {
        string[] keys = [$"stox:auth:rl:register-ip:{ip}"];
        var wait = await CheckAsync(keys, [Limits.RegistrationsPerIp], cancellationToken).ConfigureAwait(false);
        if (wait is null)
        {
            await HitAsync(keys, Limits.RegistrationWindow, cancellationToken).ConfigureAwait(false);
        }

        return wait;
    }

    private static string[] LoginKeys(string ip, string? email) =>
        email is null ? [$"stox:auth:rl:login-ip:{ip}"] : [$"stox:auth:rl:login-ip:{ip}", AccountKey(email)];

    private static string AccountKey(string email) =>
        $"stox:auth:rl:account:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)))[..32]}";

    private async Task<TimeSpan?> CheckAsync(string[] keys, int[] limits, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await redis.GetDatabase()
                .ScriptEvaluateAsync(CheckScript, [.. keys.Select(k => (RedisKey)k)], [.. limits.Take(keys.Length).Select(l => (RedisValue)l)])
                .ConfigureAwait(false);
            var waitMs = (long)result;
            return waitMs > 0 ? TimeSpan.FromMilliseconds(waitMs) : null;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            LogRedisFailed(logger, ex);
            return null;
        }
    }

    private async Task HitAsync(string[] keys, TimeSpan window, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            await redis.GetDatabase()
                .ScriptEvaluateAsync(HitScript, [.. keys.Select(k => (RedisKey)k)], [(long)window.TotalMilliseconds])
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            LogRedisFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 300, EventName = "RateLimitStoreUnavailable", Level = LogLevel.Error, Message = "Redis is unavailable for rate limiting; letting the request through")]
    private static partial void LogRedisFailed(ILogger logger, Exception exception);
}
