using System.Net;
using System.Net.Http.Json;

namespace Stox.Tests.Auth;

[Collection(AuthCollection.Name)]
public sealed class RegisterAndLoginTests(AuthAppFixture fixture)
{
    [Fact]
    public async Task Register_creates_the_account_and_returns_a_session()
    {
        var email = AuthAppFixture.NewEmail();
        var result = await fixture.RegisterAsync($"  {email.ToUpperInvariant()} ", displayName: "Ada");

        Assert.Equal(email, result.User.Email);
        Assert.Equal("Ada", result.User.DisplayName);
        Assert.Equal("user", result.User.Role);
        Assert.Equal("free", result.User.Tier);
        Assert.Equal(900, result.ExpiresIn);
        Assert.Equal("Bearer", result.TokenType);
        Assert.False(string.IsNullOrEmpty(result.RefreshToken));
        Assert.Equal(3, result.AccessToken.Split('.').Length);
    }

    [Fact]
    public async Task Register_with_a_taken_email_in_any_case_is_409()
    {
        var email = AuthAppFixture.NewEmail();
        await fixture.RegisterAsync(email);
        using var client = fixture.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/auth/register", new { email = email.ToUpperInvariant(), password = "another-strong-pass-2" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.EndsWith("/email-taken", problem!.Type, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short-pw1", "at least 10")]
    [InlineData("1234567890", "too common")]
    [InlineData("PassWord123", "too common")]
    public async Task Register_refuses_weak_passwords(string password, string reason)
    {
        using var client = fixture.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/register", new { email = AuthAppFixture.NewEmail(), password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Contains(reason, Assert.Single(problem!.Errors!["password"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_refuses_the_email_as_password()
    {
        var email = AuthAppFixture.NewEmail();
        using var client = fixture.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/register", new { email, password = email.ToUpperInvariant() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Contains("email", Assert.Single(problem!.Errors!["password"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_returns_a_new_session_and_records_the_time()
    {
        var email = AuthAppFixture.NewEmail();
        var registered = await fixture.RegisterAsync(email, "login-password-123");

        var login = await fixture.LoginAsync($" {email.ToUpperInvariant()}", "login-password-123");

        Assert.Equal(registered.User.Id, login.User.Id);
        Assert.NotEqual(registered.RefreshToken, login.RefreshToken);
        Assert.NotNull(login.User.LastLoginAt);
    }

    [Fact]
    public async Task Unknown_email_and_wrong_password_get_the_same_401()
    {
        var email = AuthAppFixture.NewEmail();
        await fixture.RegisterAsync(email, "the-right-password-1");
        using var client = fixture.CreateClient();

        using var wrong = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "the-wrong-password-1" });
        using var unknown = await client.PostAsJsonAsync("/api/auth/login", new { email = AuthAppFixture.NewEmail(), password = "the-wrong-password-1" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var a = await wrong.Content.ReadFromJsonAsync<ProblemDto>();
        var b = await unknown.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Equal((a!.Type, a.Title, a.Detail, a.Status), (b!.Type, b.Title, b.Detail, b.Status));
    }

    [Fact]
    public async Task Repeated_failures_on_one_account_give_429_with_Retry_After_even_from_other_IPs()
    {
        var email = AuthAppFixture.NewEmail();
        await fixture.RegisterAsync(email, "the-right-password-2");
        for (var i = 0; i < AuthAppFixture.FailuresPerAccount; i++)
        {
            using var client = fixture.CreateClient();
            using var failed = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "bad-password-" + i });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var other = fixture.CreateClient();
        using var limited = await other.PostAsJsonAsync("/api/auth/login", new { email, password = "the-right-password-2" });

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));
        Assert.EndsWith("/too-many-attempts", (await limited.Content.ReadFromJsonAsync<ProblemDto>())!.Type, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_failures_from_one_IP_give_429_for_every_account()
    {
        var ip = fixture.NextIp();
        using var client = fixture.CreateClient(ip);
        for (var i = 0; i < AuthAppFixture.FailuresPerIp; i++)
        {
            using var failed = await client.PostAsJsonAsync("/api/auth/login", new { email = AuthAppFixture.NewEmail(), password = "whatever-password" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        var email = AuthAppFixture.NewEmail();
        await fixture.RegisterAsync(email, "the-right-password-3");
        using var limited = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "the-right-password-3" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);

        // Another IP is not affected.
        await fixture.LoginAsync(email, "the-right-password-3");
    }

    [Fact]
    public async Task Registrations_per_IP_are_limited()
    {
        using var client = fixture.CreateClient(fixture.NextIp());
        for (var i = 0; i < AuthAppFixture.RegistrationsPerIp; i++)
        {
            using var ok = await client.PostAsJsonAsync("/api/auth/register", new { email = AuthAppFixture.NewEmail(), password = "registration-pass-1" });
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var limited = await client.PostAsJsonAsync("/api/auth/register", new { email = AuthAppFixture.NewEmail(), password = "registration-pass-1" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_successful_login_clears_the_account_failures()
    {
        var email = AuthAppFixture.NewEmail();
        await fixture.RegisterAsync(email, "the-right-password-4");
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < AuthAppFixture.FailuresPerAccount - 1; i++)
            {
                using var client = fixture.CreateClient();
                using var failed = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "bad-password-x" });
                Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            }

            await fixture.LoginAsync(email, "the-right-password-4");
        }
    }

    [Fact]
    public async Task An_old_hash_cost_is_upgraded_at_the_next_login()
    {
        var email = AuthAppFixture.NewEmail();
        var user = await fixture.RegisterAsync(email, "upgrade-me-password");
        await using (var db = await fixture.OpenAuthDbAsync())
        {
            await using var update = new Npgsql.NpgsqlCommand("""UPDATE users SET "PasswordHash" = @h WHERE "Id" = @id""", db);
            update.Parameters.AddWithValue("h", Pbkdf2Hash("upgrade-me-password", 500));
            update.Parameters.AddWithValue("id", user.User.Id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await fixture.LoginAsync(email, "upgrade-me-password");

        await using var check = await fixture.OpenAuthDbAsync();
        await using var select = new Npgsql.NpgsqlCommand("""SELECT "PasswordHash" FROM users WHERE "Id" = @id""", check);
        select.Parameters.AddWithValue("id", user.User.Id);
        var hash = (string)(await select.ExecuteScalarAsync())!;
        Assert.StartsWith($"pbkdf2-sha256${AuthAppFixture.TestIterations}$", hash, StringComparison.Ordinal);
    }

    /// <summary>The stored format, written independently of the service: pbkdf2-sha256$iterations$salt$hash.</summary>
    private static string Pbkdf2Hash(string password, int iterations)
    {
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var hash = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(
            System.Text.Encoding.UTF8.GetBytes(password), salt, iterations, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }
}
