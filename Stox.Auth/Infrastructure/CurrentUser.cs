using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Stox.Auth.Data;
using Stox.Auth.Tokens;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Auth.Infrastructure;

public static class CurrentUser
{
    /// <summary>
    /// The signed-in user as the database knows them now (so a deactivation or role change counts at once inside
    /// auth), or null when the token's subject no longer exists or is deactivated.
    /// </summary>
    public static async Task<User?> LoadAsync(ClaimsPrincipal principal, AuthDbContext db, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(principal.FindFirstValue(StoxJwtDefaults.Claims.Subject), out var id))
        {
            return null;
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        return user is { IsActive: true } ? user : null;
    }

    public static Guid? SessionId(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(AccessTokenIssuer.SessionClaim), out var sid) ? sid : null;

    public static string ClientIp(HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
