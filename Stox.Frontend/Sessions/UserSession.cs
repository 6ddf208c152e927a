using System.Security.Claims;

namespace Stox.Frontend.Sessions;

/// <summary>One signed-in browser: who it is and the tokens, kept only on the server (Redis).</summary>
public sealed record UserSession(
    string UserId,
    string Email,
    string? DisplayName,
    string Role,
    string Tier,
    string AccessToken,
    string RefreshToken,
    DateTimeOffset AccessTokenExpiresAt,
    DateTimeOffset CreatedAt)
{
    public string Name => string.IsNullOrWhiteSpace(DisplayName) ? Email : DisplayName!;

    public bool IsAdmin => Role == "admin";

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, UserId),
            new Claim(ClaimTypes.Name, Name),
            new Claim(ClaimTypes.Email, Email),
            new Claim(ClaimTypes.Role, Role),
            new Claim("tier", Tier),
        ],
        scheme,
        ClaimTypes.Name,
        ClaimTypes.Role));
}
