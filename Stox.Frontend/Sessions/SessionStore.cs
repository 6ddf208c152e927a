using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Stox.Frontend.Sessions;

/// <summary>
/// Sessions in Redis, so that every replica and a restarted one know them. The cookie holds a random id; Redis
/// holds its SHA-256 as the key and the session encrypted with Data Protection, so neither a stolen cookie
/// database nor a Redis dump alone gives tokens away.
/// </summary>
public sealed class SessionStore(IConnectionMultiplexer redis, IDataProtectionProvider protection, IOptions<FrontendOptions> options)
{
    private const string Prefix = "stox:frontend:session:";
    private const string UserPrefix = "stox:frontend:user-sessions:";
    private readonly IDataProtector _protector = protection.CreateProtector("Stox.Frontend.Session.v1");

    public async Task<string> CreateAsync(UserSession session, CancellationToken ct = default)
    {
        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        await SaveAsync(id, session, ct);
        var index = UserPrefix + session.UserId;
        var db = Database(ct);
        await db.SetAddAsync(index, Key(id));
        await db.KeyExpireAsync(index, options.Value.SessionLifetime);
        return id;
    }

    public async Task<UserSession?> GetAsync(string id, CancellationToken ct = default)
    {
        if (!IsWellFormed(id) || (byte[]?)await Database(ct).StringGetAsync(Key(id)) is not { } bytes)
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
        Database(ct).StringSetAsync(Key(id), _protector.Protect(JsonSerializer.SerializeToUtf8Bytes(session)), options.Value.SessionLifetime);

    public Task DeleteAsync(string id, CancellationToken ct = default) => Database(ct).KeyDeleteAsync(Key(id));

    /// <summary>Ends every browser session of a user (sign out everywhere).</summary>
    public async Task DeleteAllAsync(string userId, CancellationToken ct = default)
    {
        var index = UserPrefix + userId;
        var db = Database(ct);
        var members = await db.SetMembersAsync(index);
        await db.KeyDeleteAsync([.. members.Select(m => (RedisKey)(string?)m), index]);
    }

    /// <summary>Takes the per-session refresh lock, so that one refresh token is never presented twice.</summary>
    public Task<bool> TryLockRefreshAsync(string id, CancellationToken ct = default) =>
        Database(ct).StringSetAsync(Key(id) + ":refreshing", "1", TimeSpan.FromSeconds(15), When.NotExists);

    public Task ReleaseRefreshAsync(string id) => redis.GetDatabase().KeyDeleteAsync(Key(id) + ":refreshing");

    /// <summary>StackExchange.Redis commands take no token (each has its own timeout): a cancelled caller sends none.</summary>
    private IDatabase Database(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return redis.GetDatabase();
    }

    private static string Key(string id) => Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(id)));

    private static bool IsWellFormed(string id) => id.Length == 43 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
