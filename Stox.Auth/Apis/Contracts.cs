using Stox.Auth.Data;

namespace Stox.Auth.Apis;

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record UpdateProfileRequest(string? DisplayName);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record UpdateUserRequest(string? Role, string? Tier, bool? IsActive);

public sealed record UserProfile(Guid Id, string Email, string? DisplayName, string Role, string Tier, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt)
{
    public static UserProfile From(User user) =>
        new(user.Id, user.Email, user.DisplayName, user.Role, user.Tier, user.CreatedAt, user.LastLoginAt);
}

public sealed record AdminUser(Guid Id, string Email, string? DisplayName, string Role, string Tier, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt)
{
    public static AdminUser From(User user) =>
        new(user.Id, user.Email, user.DisplayName, user.Role, user.Tier, user.IsActive, user.CreatedAt, user.LastLoginAt);
}

public sealed record UserPage(IReadOnlyList<AdminUser> Items, string? NextCursor);

public sealed record AuthResponse(UserProfile User, string AccessToken, string RefreshToken, int ExpiresIn)
{
    public string TokenType => "Bearer";
}

/// <summary>
/// Usage for the account page. The counters come from jobs; when jobs cannot answer they are null and
/// <see cref="UsageAvailable"/> is false (the quota and tier are auth's own and always present).
/// </summary>
public sealed record UsageResponse(long? Images, long? BytesStored, long? UploadsThisMonth, int MonthlyQuota, string Tier, bool UsageAvailable);

public sealed record RotateKeyResponse(string Kid);
