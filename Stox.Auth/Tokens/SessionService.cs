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
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            var now = timeProvider.GetUtcNow();
            var found = await (
                from t in db.RefreshTokens.AsNoTracking()
                join f in db.RefreshTokenFamilies.AsNoTracking() on t.FamilyId equals f.Id
                join u in db.Users on f.UserId equals u.Id
                where t.TokenHash == hash
                select new { Token = t, Family = f, User = u }).SingleOrDefaultAsync(ct).ConfigureAwait(false);
            if (found is null)
            {
                return ((User, TokenPair)?)null;
            }

            if (found.Family.RevokedAt is not null || !found.User.IsActive)
            {
                return null;
            }

            if (found.Token.UsedAt is not null)
            {
                await RevokeReusedAsync(found.Family.Id, found.User.Id, ct).ConfigureAwait(false);
                return null;
            }

            if (found.Token.ExpiresAt <= now)
            {
                return null;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);

            // The row lock makes concurrent refreshes of one token queue here; only the first sees UsedAt null. The
            // family must still be live too: one revoked after our first read (logout, password change, deactivation)
            // must not grow.
            var familyId = found.Family.Id;
            var claimed = await db.RefreshTokens
                .Where(t => t.Id == found.Token.Id && t.UsedAt == null
                    && db.RefreshTokenFamilies.Any(f => f.Id == familyId && f.RevokedAt == null))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct).ConfigureAwait(false);
            if (claimed == 0)
            {
                await transaction.RollbackAsync(ct).ConfigureAwait(false);
                var usedMeanwhile = await db.RefreshTokens.AsNoTracking()
                    .AnyAsync(t => t.Id == found.Token.Id && t.UsedAt != null, ct).ConfigureAwait(false);
                if (usedMeanwhile)
                {
                    await RevokeReusedAsync(familyId, found.User.Id, ct).ConfigureAwait(false);
                }

                return null;
            }

            var next = AddToken(found.Family.Id, now);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            var pair = new TokenPair(accessTokens.Issue(found.User, found.Family.Id), next, (int)accessTokens.Lifetime.TotalSeconds);
            return (found.User, pair);
        }, cancellationToken).ConfigureAwait(false);
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
