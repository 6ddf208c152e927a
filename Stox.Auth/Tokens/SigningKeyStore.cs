using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Stox.Auth.Data;

namespace Stox.Auth.Tokens;

/// <summary>
/// The RS256 signing keys, kept in authdb: generated on first start, rotated on demand. The newest key signs; the
/// newest two are published (current + previous), so tokens signed just before a rotation stay valid. Each replica
/// keeps them in memory and re-reads them periodically and whenever a token names a kid it does not know.
/// It also gives the auth service's own JwtBearer its keys, in-process (see <see cref="TryGetSecurityKey"/>).
/// </summary>
public sealed partial class SigningKeyStore(
    IServiceScopeFactory scopes,
    TimeProvider timeProvider,
    ILogger<SigningKeyStore> logger)
{
    private const int PublishedKeys = 2;
    // Any constant unique within authdb: serialises first-key creation across replicas starting together.
    private const long AdvisoryLockId = 0x53_74_6F_78_41_75_74_68; // "StoxAuth" in ASCII

    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private volatile KeySet _keys = KeySet.Empty;
    private DateTimeOffset _lastReload = DateTimeOffset.MinValue;

    /// <summary>The key that signs new tokens.</summary>
    public (string Kid, RSA Key) Current => _keys.Current ?? throw new InvalidOperationException("The signing keys are not loaded.");

    /// <summary>The public keys to publish (newest first).</summary>
    public IReadOnlyList<PublishedKey> Published => _keys.Published;

    /// <summary>The public-key view of a published key, for token validation; null when the kid is not one of ours (yet).</summary>
    public SecurityKey? TryGetSecurityKey(string kid) => _keys.SecurityKeys.GetValueOrDefault(kid);

    /// <summary>
    /// Makes sure a kid this replica does not know is looked up in authdb (a rotation made through another replica),
    /// at most every few seconds; true when the key is known afterwards.
    /// </summary>
    public async ValueTask<bool> EnsureKnownAsync(string kid, CancellationToken cancellationToken)
    {
        if (_keys.SecurityKeys.ContainsKey(kid))
        {
            return true;
        }

        // A kid we do not know may come from a rotation on another replica; re-read at most every few seconds.
        if (timeProvider.GetUtcNow() - _lastReload > TimeSpan.FromSeconds(5))
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
        }

        return _keys.SecurityKeys.ContainsKey(kid);
    }

    /// <summary>Creates the first key when there is none (once across replicas), then loads the keys.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async ct =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockId})", ct).ConfigureAwait(false);
                if (!await db.SigningKeys.AnyAsync(ct).ConfigureAwait(false))
                {
                    db.SigningKeys.Add(NewKey());
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                    LogKeyGenerated(logger);
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }

        await ReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a new current key; the old current becomes the previous one and the one before stops being published.</summary>
    public async Task<string> RotateAsync(CancellationToken cancellationToken)
    {
        var key = NewKey();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            db.SigningKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        LogKeyRotated(logger, key.Kid);
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return key.Kid;
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            var rows = await db.SigningKeys.AsNoTracking()
                .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Kid)
                .Take(PublishedKeys)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            _lastReload = timeProvider.GetUtcNow();
            if (rows.Count == 0 || (_keys.Current?.Kid == rows[0].Kid && _keys.Published.Count == rows.Count))
            {
                return;
            }

            var keys = new List<(string Kid, RSA Key)>();
            foreach (var row in rows)
            {
                var rsa = _keys.ByKid.GetValueOrDefault(row.Kid);
                if (rsa is null)
                {
                    rsa = RSA.Create();
                    rsa.ImportPkcs8PrivateKey(row.PrivateKey, out _);
                }

                keys.Add((row.Kid, rsa));
            }

            // Replaced RSA objects are left to the GC: another request may still be signing or verifying with one.
            _keys = new KeySet(
                keys[0],
                keys.ToFrozenDictionary(k => k.Kid, k => k.Key, StringComparer.Ordinal),
                keys.ToFrozenDictionary(
                    k => k.Kid,
                    k => (SecurityKey)new RsaSecurityKey(k.Key.ExportParameters(includePrivateParameters: false)) { KeyId = k.Kid },
                    StringComparer.Ordinal),
                [.. keys.Select(k => PublishedKey.FromRsa(k.Kid, k.Key))]);
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    private SigningKey NewKey()
    {
        using var rsa = RSA.Create(2048);
        var now = timeProvider.GetUtcNow();
        return new SigningKey
        {
            Kid = $"{now:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}",
            PrivateKey = rsa.ExportPkcs8PrivateKey(),
            CreatedAt = now,
        };
    }

    [LoggerMessage(EventId = 100, EventName = "SigningKeyGenerated", Level = LogLevel.Information, Message = "Generated the first signing key")]
    private static partial void LogKeyGenerated(ILogger logger);

    [LoggerMessage(EventId = 101, EventName = "SigningKeyRotated", Level = LogLevel.Information, Message = "Rotated the signing key; new kid {Kid}")]
    private static partial void LogKeyRotated(ILogger logger, string kid);

    private sealed record KeySet(
        (string Kid, RSA Key)? Current,
        FrozenDictionary<string, RSA> ByKid,
        FrozenDictionary<string, SecurityKey> SecurityKeys,
        IReadOnlyList<PublishedKey> Published)
    {
        public static readonly KeySet Empty = new(null, FrozenDictionary<string, RSA>.Empty, FrozenDictionary<string, SecurityKey>.Empty, []);
    }
}

/// <summary>Re-reads the signing keys now and then, so a rotation made through another replica is picked up.</summary>
public sealed class SigningKeyReloader(SigningKeyStore store, IOptions<AuthOptions> options, ILogger<SigningKeyReloader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SigningKeyReloadInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await store.ReloadAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not reload the signing keys; keeping the current ones");
            }
        }
    }
}
