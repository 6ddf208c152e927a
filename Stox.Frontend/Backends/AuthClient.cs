namespace Stox.Frontend.Backends;

/// <summary>Auth's API, reached directly through service discovery (<c>http://auth</c>).</summary>
public sealed class AuthClient(HttpClient http, ILogger<AuthClient> logger) : ServiceClient(http, logger, "sign-in")
{
    public Task<ApiResult<AuthSession>> RegisterAsync(string email, string password, string? displayName, CancellationToken ct = default) =>
        SendAsync<AuthSession>(Request(HttpMethod.Post, "/api/auth/register", body: new { email, password, displayName }), ct);

    public Task<ApiResult<AuthSession>> LoginAsync(string email, string password, CancellationToken ct = default) =>
        SendAsync<AuthSession>(Request(HttpMethod.Post, "/api/auth/login", body: new { email, password }), ct);

    public Task<ApiResult<AuthSession>> RefreshAsync(string refreshToken, CancellationToken ct = default) =>
        SendAsync<AuthSession>(Request(HttpMethod.Post, "/api/auth/refresh", body: new { refreshToken }), ct);

    public Task<ApiResult<NoContent>> LogoutAsync(string refreshToken, CancellationToken ct = default) =>
        SendAsync<NoContent>(Request(HttpMethod.Post, "/api/auth/logout", body: new { refreshToken }), ct);

    public Task<ApiResult<NoContent>> LogoutAllAsync(string token, CancellationToken ct = default) =>
        SendAsync<NoContent>(Request(HttpMethod.Post, "/api/auth/logout-all", token), ct);

    public Task<ApiResult<Profile>> GetProfileAsync(string token, CancellationToken ct = default) =>
        SendAsync<Profile>(Request(HttpMethod.Get, "/api/account", token), ct);

    public Task<ApiResult<Profile>> UpdateProfileAsync(string token, string? displayName, CancellationToken ct = default) =>
        SendAsync<Profile>(Request(HttpMethod.Patch, "/api/account", token, new { displayName }), ct);

    public Task<ApiResult<NoContent>> ChangePasswordAsync(string token, string currentPassword, string newPassword, CancellationToken ct = default) =>
        SendAsync<NoContent>(Request(HttpMethod.Post, "/api/account/password", token, new { currentPassword, newPassword }), ct);

    public Task<ApiResult<Usage>> GetUsageAsync(string token, CancellationToken ct = default) =>
        SendAsync<Usage>(Request(HttpMethod.Get, "/api/account/usage", token), ct);

    public Task<ApiResult<UserPage>> ListUsersAsync(string token, string? cursor, int limit, CancellationToken ct = default) =>
        SendAsync<UserPage>(Request(HttpMethod.Get, $"/api/admin/users?limit={limit}{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", token), ct);

    public Task<ApiResult<Profile>> UpdateUserAsync(string token, string id, UserChange change, CancellationToken ct = default) =>
        SendAsync<Profile>(Request(HttpMethod.Patch, $"/api/admin/users/{Uri.EscapeDataString(id)}", token, change), ct);
}
