using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stox.Auth.Data;

namespace Stox.Auth.Tokens;

/// <summary>
/// Sessions as refresh-token families: a login starts a family; each refresh uses its token once and adds the
/// next one; presenting a used token (a replay, or the loser of two concurrent refreshes) revokes the family.
/// </summary>
public sealed partial class SessionService(
    AuthDbContext db,
    AccessTokenIssuer accessTokens,
    IOptions<AuthOptions> options,
    TimeProvider timeProvider,
    ILogger<SessionService> logger)
{
    /// <summary>Starts a session for <paramref name="user"/> (adds to the unit of work; the caller saves).</summary>
    public TokenPair StartSession(User user)
    {
        var now = timeProvider.GetUtcNow();
        var family = new RefreshTokenFamily { Id = Guid.CreateVersion7(now), UserId = user.Id, CreatedAt = now };
        db.RefreshTokenFamilies.Add(family);
        var refreshToken = AddToken(family.Id, now);
        return new TokenPair(accessTokens.Issue(user, family.Id), refreshToken, (int)accessTokens.Lifetime.TotalSeconds);
    }

    /// <summary>Uses <paramref name="refreshToken"/> once and returns the next pair, or null (401) when it cannot be used.</summary>
    public async Task<(User User, TokenPair Pair)?> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var hash = RefreshTokenCodec.Hash(refreshToken);
        var now = timeProvider.GetUtcNow();
        var next = RefreshTokenCodec.NewToken();
        var nextId = Guid.CreateVersion7(now);
        var nextHash = RefreshTokenCodec.Hash(next);
        var nextExpiresAt = now + options.Value.RefreshTokenLifetime;

        // Claim the token and add its successor in one statement: one round trip, atomic without a transaction. The
        // token's row lock makes concurrent refreshes of one token queue on the UPDATE; PostgreSQL re-checks the
        // WHERE for the ones that waited, so only the first sees "UsedAt" null. The family must still be live and
        // the user active at that moment: a logout, password change or deactivation just before must win.
        var claimed = await db.Database.SqlQuery<ClaimedSession>($"""
            WITH claimed AS (
                UPDATE refresh_tokens AS t SET "UsedAt" = {now}
                FROM refresh_token_families AS f, users AS u
                WHERE t."TokenHash" = {hash} AND t."UsedAt" IS NULL AND t."ExpiresAt" > {now}
                  AND f."Id" = t."FamilyId" AND f."RevokedAt" IS NULL AND u."Id" = f."UserId" AND u."IsActive"
                RETURNING t."FamilyId", f."UserId"),
            issued AS (
                INSERT INTO refresh_tokens ("Id", "FamilyId", "TokenHash", "CreatedAt", "ExpiresAt")
                SELECT {nextId}, "FamilyId", {nextHash}, {now}, {nextExpiresAt} FROM claimed)
            SELECT c."FamilyId", u."Id", u."Email", u."DisplayName", u."PasswordHash", u."Role", u."Tier", u."IsActive",
                   u."CreatedAt", u."LastLoginAt"
            FROM claimed AS c JOIN users AS u ON u."Id" = c."UserId"
            """).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (claimed is [var session])
        {
            var user = session.ToUser();
            return (user, new TokenPair(accessTokens.Issue(user, session.FamilyId), next, (int)accessTokens.Lifetime.TotalSeconds));
        }

        await ExplainRefusalAsync(hash, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Why a refresh was refused: unknown, expired, revoked or inactive need nothing; a used token is a replay.</summary>
    private async Task ExplainRefusalAsync(byte[] hash, CancellationToken cancellationToken)
    {
        var found = await (
            from t in db.RefreshTokens.AsNoTracking()
            join f in db.RefreshTokenFamilies.AsNoTracking() on t.FamilyId equals f.Id
            where t.TokenHash == hash
            select new { t.UsedAt, FamilyId = f.Id, f.UserId, f.RevokedAt }).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (found is { UsedAt: not null, RevokedAt: null })
        {
            // A replay, or the loser of two concurrent refreshes: either way the chain can no longer be trusted.
            await RevokeReusedAsync(found.FamilyId, found.UserId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the session <paramref name="refreshToken"/> belongs to (used or not); unknown tokens are ignored.</summary>
    public async Task LogoutAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var hash = RefreshTokenCodec.Hash(refreshToken);
        var familyId = await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.FamilyId)
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (familyId is { } id)
        {
            await RevokeAsync(db.RefreshTokenFamilies.Where(f => f.Id == id), "logout", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends every session of the user, except <paramref name="keepSessionId"/> when given.</summary>
    public Task<int> RevokeAllAsync(Guid userId, string reason, Guid? keepSessionId, CancellationToken cancellationToken) =>
        RevokeAsync(
            db.RefreshTokenFamilies.Where(f => f.UserId == userId && (keepSessionId == null || f.Id != keepSessionId)),
            reason,
            cancellationToken);

    private async Task RevokeReusedAsync(Guid familyId, Guid userId, CancellationToken cancellationToken)
    {
        var revoked = await RevokeAsync(db.RefreshTokenFamilies.Where(f => f.Id == familyId), "reuse", cancellationToken).ConfigureAwait(false);
        if (revoked > 0)
        {
            LogReuse(logger, userId, familyId);
        }
    }

    private Task<int> RevokeAsync(IQueryable<RefreshTokenFamily> families, string reason, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return families.Where(f => f.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.RevokedAt, now).SetProperty(f => f.RevokedReason, reason), cancellationToken);
    }

    private string AddToken(Guid familyId, DateTimeOffset now)
    {
        var token = RefreshTokenCodec.NewToken();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(now),
            FamilyId = familyId,
            TokenHash = RefreshTokenCodec.Hash(token),
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        });
        return token;
    }

    [LoggerMessage(EventId = 200, EventName = "RefreshTokenReuse", Level = LogLevel.Warning,
        Message = "A used refresh token was presented again for user {UserId}; session {SessionId} revoked (possible theft)")]
    private static partial void LogReuse(ILogger logger, Guid userId, Guid sessionId);
}

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>A row of the refresh statement: the session and its user.</summary>
internal sealed record ClaimedSession(
    Guid FamilyId,
    Guid Id,
    string Email,
    string? DisplayName,
    string PasswordHash,
    string Role,
    string Tier,
    bool IsActive,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLoginAt)
{
    public User ToUser() => new()
    {
        Id = Id,
        Email = Email,
        DisplayName = DisplayName,
        PasswordHash = PasswordHash,
        Role = Role,
        Tier = Tier,
        IsActive = IsActive,
        CreatedAt = CreatedAt,
        LastLoginAt = LastLoginAt,
    };
}
