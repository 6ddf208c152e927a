using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Stox.ServiceDefaults.Redis;

/// <summary>Typed helpers over <see cref="IRedisConnection.ExecuteAsync(string, IReadOnlyList{object}, TimeSpan?, CancellationToken)"/>.</summary>
public static class RedisConnectionExtensions
{
    private static readonly ConcurrentDictionary<string, string> ScriptHashes = new(StringComparer.Ordinal);

    /// <summary>PING; returns the round-trip time.</summary>
    public static async Task<TimeSpan> PingAsync(this IRedisConnection connection, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var started = Stopwatch.GetTimestamp();
        var reply = await connection.ExecuteAsync("PING", [], timeout, cancellationToken).ConfigureAwait(false);
        return reply.AsString() == "PONG"
            ? Stopwatch.GetElapsedTime(started)
            : throw new RedisProtocolException($"PING answered '{reply}'.");
    }

    /// <summary>GET as UTF-8 text; null when the key does not exist.</summary>
    public static async Task<string?> StringGetAsync(this IRedisConnection connection, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.ExecuteAsync("GET", [key], null, cancellationToken).ConfigureAwait(false)).AsString();
    }

    /// <summary>GET as raw bytes; null when the key does not exist.</summary>
    public static async Task<byte[]?> StringGetBytesAsync(this IRedisConnection connection, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.ExecuteAsync("GET", [key], null, cancellationToken).ConfigureAwait(false)).AsBytes();
    }

    /// <summary>SET with optional expiry (PX) and NX; returns false when NX prevented the write.</summary>
    public static Task<bool> StringSetAsync(this IRedisConnection connection, string key, string value, TimeSpan? expiry = null, bool onlyIfNotExists = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SetAsync(connection, key, value, expiry, onlyIfNotExists, cancellationToken);
    }

    /// <summary>SET of raw bytes with optional expiry (PX) and NX; returns false when NX prevented the write.</summary>
    public static Task<bool> StringSetAsync(this IRedisConnection connection, string key, ReadOnlyMemory<byte> value, TimeSpan? expiry = null, bool onlyIfNotExists = false, CancellationToken cancellationToken = default) =>
        SetAsync(connection, key, value, expiry, onlyIfNotExists, cancellationToken);

    /// <summary>INCRBY; returns the new value.</summary>
    public static async Task<long> StringIncrementAsync(this IRedisConnection connection, string key, long value = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.ExecuteAsync("INCRBY", [key, value], null, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary>DEL of one key; true when it existed.</summary>
    public static async Task<bool> KeyDeleteAsync(this IRedisConnection connection, string key, CancellationToken cancellationToken = default) =>
        await KeyDeleteAsync(connection, [key], cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>DEL of several keys; returns how many existed.</summary>
    public static async Task<long> KeyDeleteAsync(this IRedisConnection connection, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return 0;
        }

        return (await connection.ExecuteAsync("DEL", [.. keys], null, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary>PEXPIRE; true when the key exists and the expiry was set.</summary>
    public static async Task<bool> KeyExpireAsync(this IRedisConnection connection, string key, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.ExecuteAsync("PEXPIRE", [key, ToMilliseconds(expiry)], null, cancellationToken).ConfigureAwait(false)).AsInt64() == 1;
    }

    /// <summary>PTTL; null when the key does not exist or has no expiry.</summary>
    public static async Task<TimeSpan?> KeyTimeToLiveAsync(this IRedisConnection connection, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var ms = (await connection.ExecuteAsync("PTTL", [key], null, cancellationToken).ConfigureAwait(false)).AsInt64();
        return ms < 0 ? null : TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>PUBLISH of UTF-8 text; returns how many subscribers received it.</summary>
    public static async Task<long> PublishAsync(this IRedisConnection connection, string channel, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(message);
        return (await connection.ExecuteAsync("PUBLISH", [channel, message], null, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary>PUBLISH of raw bytes; returns how many subscribers received it.</summary>
    public static async Task<long> PublishAsync(this IRedisConnection connection, string channel, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.ExecuteAsync("PUBLISH", [channel, message], null, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary>
    /// Runs a Lua script with EVALSHA (the SHA-1 is computed once per script text) and falls back to EVAL when the
    /// server answers NOSCRIPT (first use, after SCRIPT FLUSH or a server restart); EVAL also loads it for next time.
    /// </summary>
    public static async Task<RedisResult> ScriptEvaluateAsync(
        this IRedisConnection connection,
        string script,
        IReadOnlyList<string>? keys = null,
        IReadOnlyList<object>? args = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(script);
        keys ??= [];
        args ??= [];
        var sha = ScriptHashes.GetOrAdd(script, static s => Sha1Hex(s));

        object[] Arguments(object head) => [head, keys.Count, .. keys, .. args];

        try
        {
            return await connection.ExecuteAsync("EVALSHA", Arguments(sha), null, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.ErrorCode == "NOSCRIPT")
        {
            return await connection.ExecuteAsync("EVAL", Arguments(script), null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The SHA-1 Redis uses to name a script (lower-case hex).</summary>
    public static string ScriptHash(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        return ScriptHashes.GetOrAdd(script, static s => Sha1Hex(s));
    }

#pragma warning disable CA5350 // SHA-1 is what Redis uses to identify scripts; not a security use.
    private static string Sha1Hex(string script) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(script)));
#pragma warning restore CA5350

    private static async Task<bool> SetAsync(IRedisConnection connection, string key, object value, TimeSpan? expiry, bool onlyIfNotExists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(key);
        var args = new List<object>(5) { key, value };
        if (expiry is { } e)
        {
            args.Add("PX");
            args.Add(ToMilliseconds(e));
        }

        if (onlyIfNotExists)
        {
            args.Add("NX");
        }

        var reply = await connection.ExecuteAsync("SET", args, null, cancellationToken).ConfigureAwait(false);
        return !reply.IsNull;
    }

    private static long ToMilliseconds(TimeSpan value)
    {
        var ms = (long)Math.Ceiling(value.TotalMilliseconds);
        return ms > 0 ? ms : throw new ArgumentOutOfRangeException(nameof(value), "An expiry must be positive.");
    }
}
