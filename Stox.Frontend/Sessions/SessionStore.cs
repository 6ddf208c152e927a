using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Stox.ServiceDefaults.Redis;

namespace Stox.Frontend.Sessions;

/// <summary>
/// Sessions in Redis, so that every replica and a restarted one know them. The cookie holds a random id; Redis
/// holds its SHA-256 as the key and the session encrypted with Data Protection, so neither a stolen cookie
/// database nor a Redis dump alone gives tokens away.
/// </summary>
public sealed class SessionStore(IRedisConnection redis, IDataProtectionProvider protection, IOptions<FrontendOptions> options)
{
    private const string Prefix = "stox:frontend:session:";
    private const string UserPrefix = "stox:frontend:user-sessions:";
    private readonly IDataProtector _protector = protection.CreateProtector("Stox.Frontend.Session.v1");

    public async Task<string> CreateAsync(UserSession session, CancellationToken ct = default)
    {
        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        await SaveAsync(id, session, ct);
        var index = UserPrefix + session.UserId;
        await redis.ExecuteAsync("SADD", [index, Key(id)], cancellationToken: ct);
        await redis.KeyExpireAsync(index, options.Value.SessionLifetime, ct);
        return id;
    }

    public async Task<UserSession?> GetAsync(string id, CancellationToken ct = default)
    {
        if (!IsWellFormed(id) || await redis.StringGetBytesAsync(Key(id), ct) is not { } bytes)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<UserSession>(_protector.Unprotect(bytes));
        }
        catch (CryptographicException)
        {
            // Written with a key this replica cannot read any more: the same as no session.
            return null;
        }
    }

    public Task SaveAsync(string id, UserSession session, CancellationToken ct = default) =>
        redis.StringSetAsync(Key(id), _protector.Protect(JsonSerializer.SerializeToUtf8Bytes(session)), options.Value.SessionLifetime, cancellationToken: ct);

    public Task DeleteAsync(string id, CancellationToken ct = default) => redis.KeyDeleteAsync(Key(id), ct);

    /// <summary>Ends every browser session of a user (sign out everywhere).</summary>
    public async Task DeleteAllAsync(string userId, CancellationToken ct = default)
    {
        var index = UserPrefix + userId;
        var members = await redis.ExecuteAsync("SMEMBERS", [index], cancellationToken: ct);
        var keys = members.Items.Select(m => m.AsString()).OfType<string>().Append(index).ToList();
        await redis.KeyDeleteAsync(keys, ct);
    }

    /// <summary>Takes the per-session refresh lock, so that one refresh token is never presented twice.</summary>
    public Task<bool> TryLockRefreshAsync(string id, CancellationToken ct = default) =>
        redis.StringSetAsync(Key(id) + ":refreshing", "1", TimeSpan.FromSeconds(15), onlyIfNotExists: true, ct);

    public Task ReleaseRefreshAsync(string id) => redis.KeyDeleteAsync(Key(id) + ":refreshing");

    private static string Key(string id) => Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(id)));

    private static bool IsWellFormed(string id) => id.Length == 43 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
