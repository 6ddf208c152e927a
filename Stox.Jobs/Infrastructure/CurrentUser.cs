using System.Globalization;
using System.Security.Claims;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Jobs.Infrastructure;

/// <summary>The caller as the access token describes them.</summary>
public sealed record CurrentUser(Guid Id, string Role, string Tier, int? UploadQuota)
{
    public bool IsAdmin => Role == "admin";

    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        if (!Guid.TryParse(principal.FindFirstValue(StoxJwtDefaults.Claims.Subject), out var id))
        {
            return null;
        }

        int? quota = int.TryParse(principal.FindFirstValue(StoxJwtDefaults.Claims.UploadQuota), NumberStyles.None, CultureInfo.InvariantCulture, out var q) ? q : null;
        return new CurrentUser(
            id,
            principal.FindFirstValue(StoxJwtDefaults.Claims.Role) ?? "user",
            principal.FindFirstValue(StoxJwtDefaults.Claims.Tier) ?? "free",
            quota);
    }
}
