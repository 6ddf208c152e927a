using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

using Stox.Tests.Infrastructure;

namespace Stox.Tests.Auth;

/// <summary>
/// postgres + authdb + cache + auth, started once for the auth tests. Jobs is dropped from auth's references
/// (it would pull in the broker and S3), so usage comes back without counters. Passwords use a low PBKDF2 cost
/// so tests do not burn minutes hashing; the production default is measured by the benchmark.
/// </summary>
public sealed class AuthAppFixture : IAsyncLifetime
{
    public const string AdminEmail = "root-admin@stox.test";
    public const string AdminPassword = "admin-password-for-tests-1";
    public const int TestIterations = 1_000;
    public const int FailuresPerAccount = 5;
    public const int FailuresPerIp = 12;
    public const int RegistrationsPerIp = 10;

    private DistributedApplication? _app;
    private int _nextIp;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();
        // No jobs: usage look-ups find nothing listening and time out after Auth:UsageTimeout.
        builder.ReplaceWithUrl("jobs", "http://127.0.0.1:9");
        builder.Project("auth")
            .WithEnvironment("Auth__PasswordIterations", TestIterations.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Auth__BootstrapAdminEmail", AdminEmail)
            .WithEnvironment("Auth__RateLimits__FailuresPerAccount", FailuresPerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Auth__RateLimits__FailuresPerIp", FailuresPerIp.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Auth__RateLimits__RegistrationsPerIp", RegistrationsPerIp.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Auth__UsageTimeout", "00:00:01")
            .WithEnvironment("Auth__SigningKeyReloadInterval", "00:00:02");
        builder.KeepOnly("auth");
        _app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _app.StartAsync(timeout.Token);
        await _app.WaitForAllHealthyAsync(timeout.Token);

        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/register", new { email = AdminEmail, password = AdminPassword, displayName = "Root" });
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>A client to auth that comes from its own (documentation-range) IP, so rate limits never cross tests.</summary>
    public HttpClient CreateClient(string? ip = null)
    {
        var client = App.CreateHttpClient("auth");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", ip ?? NextIp());
        return client;
    }

    public string NextIp()
    {
        var n = Interlocked.Increment(ref _nextIp);
        return $"198.51.{n / 250}.{(n % 250) + 1}";
    }

    public static string NewEmail(string tag = "user") => $"{tag}-{Guid.NewGuid():N}@stox.test";

    public async Task<AuthResult> RegisterAsync(string? email = null, string password = "a-strong-password-1", string? displayName = null)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/register", new { email = email ?? NewEmail(), password, displayName });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AuthResult>(Json))!;
    }

    public async Task<AuthResult> LoginAsync(string email, string password)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AuthResult>(Json))!;
    }

    public Task<AuthResult> LoginAdminAsync() => LoginAsync(AdminEmail, AdminPassword);

    public HttpClient CreateClient(AuthResult who)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", who.AccessToken);
        return client;
    }

    public async Task<NpgsqlConnection> OpenAuthDbAsync()
    {
        var connection = new NpgsqlConnection(await App.GetConnectionStringAsync("authdb"));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The current signing key straight from authdb (for crafting tokens the service must still refuse).</summary>
    public async Task<(string Kid, RSA Key)> ReadCurrentKeyAsync()
    {
        await using var connection = await OpenAuthDbAsync();
        await using var command = new NpgsqlCommand("""SELECT "Kid", "PrivateKey" FROM signing_keys ORDER BY "CreatedAt" DESC, "Kid" DESC LIMIT 1""", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey((byte[])reader[1], out _);
        return (reader.GetString(0), rsa);
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

public sealed record AuthResult(UserDto User, string AccessToken, string RefreshToken, int ExpiresIn, string TokenType);

public sealed record UserDto(Guid Id, string Email, string? DisplayName, string Role, string Tier, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt);

public sealed record ProblemDto(string? Type, string? Title, int? Status, string? Detail, Dictionary<string, string[]>? Errors);

[CollectionDefinition(Name)]
public sealed class AuthCollection : ICollectionFixture<AuthAppFixture>
{
    public const string Name = "auth";
}
