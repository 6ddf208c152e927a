namespace Stox.Frontend.Backends;

public sealed record Profile(
    string Id,
    string Email,
    string? DisplayName,
    string Role,
    string Tier,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLoginAt,
    bool? IsActive = null);

public sealed record AuthSession(Profile User, string AccessToken, string RefreshToken, int ExpiresIn);

public sealed record Usage(long? Images, long? BytesStored, long? UploadsThisMonth, long MonthlyQuota, string Tier, bool UsageAvailable);

public sealed record UserPage(IReadOnlyList<Profile> Items, string? NextCursor);

public sealed record UserChange(string? Role = null, string? Tier = null, bool? IsActive = null);
