using Microsoft.Extensions.Options;
using Stox.Frontend.Backends;

namespace Stox.Frontend.Sessions;

/// <summary>
/// The backend-for-frontend side of signing in: turns auth's tokens into a server-side session behind an HttpOnly
/// cookie, refreshes the access token before it expires, and signs out.
/// </summary>
public sealed class SessionManager(
    SessionStore store,
    AuthClient auth,
    IOptions<FrontendOptions> options,
    TimeProvider clock,
    ILogger<SessionManager> logger)
{
    public const string CookieName = "__Host-stox-session";
    private static readonly object ItemKey = new();

    /// <summary>The session of this request (refreshed when its access token is about to expire), or null.</summary>
    public async Task<UserSession?> GetCurrentAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached))
        {
            return (cached as Current)?.Session;
        }

        Current? current = null;
        if (context.Request.Cookies.TryGetValue(CookieName, out var id) && id is not null && await store.GetAsync(id, context.RequestAborted) is { } session)
        {
            current = new Current(id, session);
            if (session.AccessTokenExpiresAt - clock.GetUtcNow() < options.Value.RefreshBeforeExpiry)
            {
                current = await RefreshAsync(context, current, session.AccessToken);
            }
        }

        context.Items[ItemKey] = current;
        return current?.Session;
    }

    /// <summary>Refreshes after a service refused the access token (revoked, rotated key); null when the session is over.</summary>
    public async Task<UserSession?> RefreshAfterRejectionAsync(HttpContext context, string rejectedToken)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is Current current)
        {
            var refreshed = await RefreshAsync(context, current, rejectedToken);
            context.Items[ItemKey] = refreshed;
            return refreshed?.Session;
        }

        return null;
    }

    public async Task SignInAsync(HttpContext context, AuthSession tokens)
    {
        var session = FromTokens(tokens, clock.GetUtcNow());
        var id = await store.CreateAsync(session, context.RequestAborted);
        context.Response.Cookies.Append(CookieName, id, CookieOptions(clock.GetUtcNow() + options.Value.SessionLifetime));
        context.Items[ItemKey] = new Current(id, session);
    }

    public async Task SignOutAsync(HttpContext context)
    {
        if (context.Request.Cookies.TryGetValue(CookieName, out var id) && id is not null)
        {
            if (await store.GetAsync(id, context.RequestAborted) is { } session)
            {
                await auth.LogoutAsync(session.RefreshToken, context.RequestAborted);
            }

            await store.DeleteAsync(id, context.RequestAborted);
        }

        EndCookie(context);
    }

    public async Task<ApiProblem?> SignOutEverywhereAsync(HttpContext context)
    {
        if (await GetCurrentAsync(context) is not { } session)
        {
            EndCookie(context);
            return null;
        }

        var result = await auth.LogoutAllAsync(session.AccessToken, context.RequestAborted);
        if (!result.Succeeded && result.Problem!.Status != 401)
        {
            return result.Problem;
        }

        await store.DeleteAllAsync(session.UserId, context.RequestAborted);
        EndCookie(context);
        return null;
    }

    /// <summary>Keeps the session's copy of the profile current after the user changed it.</summary>
    public async Task UpdateProfileAsync(HttpContext context, Profile profile)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is Current current)
        {
            var session = current.Session with { DisplayName = profile.DisplayName, Email = profile.Email, Role = profile.Role, Tier = profile.Tier };
            await store.SaveAsync(current.Id, session, context.RequestAborted);
            context.Items[ItemKey] = current with { Session = session };
        }
    }

    private async Task<Current?> RefreshAsync(HttpContext context, Current current, string staleToken)
    {
        var ct = context.RequestAborted;
        // Refresh tokens are single use, and auth revokes the whole session when one is presented twice: only the
        // holder of the lock refreshes; other requests (any replica) wait for its result.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await store.TryLockRefreshAsync(current.Id, ct))
            {
                try
                {
                    var latest = await store.GetAsync(current.Id, ct);
                    if (latest is null)
                    {
                        EndCookie(context);
                        return null;
                    }

                    if (latest.AccessToken != staleToken)
                    {
                        return current with { Session = latest };
                    }

                    var result = await auth.RefreshAsync(latest.RefreshToken, ct);
                    if (result.Succeeded)
                    {
                        var session = FromTokens(result.Value!, latest.CreatedAt);
                        await store.SaveAsync(current.Id, session, ct);
                        return current with { Session = session };
                    }

                    if (result.Problem!.Status is 401 or 403 or 400)
                    {
                        logger.LogInformation("Session of user {UserId} ended: auth refused the refresh ({Status})", latest.UserId, result.Problem.Status);
                        await store.DeleteAsync(current.Id, ct);
                        EndCookie(context);
                        return null;
                    }

                    // Auth unreachable: carry on with the token we have; the service will say if it is too old.
                    return current with { Session = latest };
                }
                finally
                {
                    await store.ReleaseRefreshAsync(current.Id);
                }
            }

            await Task.Delay(100, ct);
            if (await store.GetAsync(current.Id, ct) is { } refreshed && refreshed.AccessToken != staleToken)
            {
                return current with { Session = refreshed };
            }
        }

        return current;
    }

    private void EndCookie(HttpContext context)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.Cookies.Delete(CookieName, CookieOptions(null));
        }

        context.Items[ItemKey] = null;
    }

    private static CookieOptions CookieOptions(DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = true,
        // Lax keeps people signed in when they follow a link to Stox; every state change is a POST with an antiforgery token.
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
        Expires = expires,
    };

    private UserSession FromTokens(AuthSession tokens, DateTimeOffset createdAt) => new(
        tokens.User.Id,
        tokens.User.Email,
        tokens.User.DisplayName,
        tokens.User.Role,
        tokens.User.Tier,
        tokens.AccessToken,
        tokens.RefreshToken,
        clock.GetUtcNow().AddSeconds(tokens.ExpiresIn),
        createdAt);

    private sealed record Current(string Id, UserSession Session);
}
