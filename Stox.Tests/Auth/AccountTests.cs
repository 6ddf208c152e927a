using System.Net;
using System.Net.Http.Json;

namespace Stox.Tests.Auth;

[Collection(AuthCollection.Name)]
public sealed class AccountTests(AuthAppFixture fixture)
{
    [Fact]
    public async Task Get_returns_the_profile()
    {
        var session = await fixture.RegisterAsync(displayName: "Grace");
        using var client = fixture.CreateClient(session);

        var profile = await client.GetFromJsonAsync<UserDto>("/api/account");

        Assert.Equal(session.User with { LastLoginAt = profile!.LastLoginAt, CreatedAt = profile.CreatedAt }, profile);
        Assert.Equal(session.User.CreatedAt.ToUnixTimeMilliseconds(), profile.CreatedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Without_a_token_the_account_is_401_problem_details()
    {
        using var client = fixture.CreateClient();
        using var response = await client.GetAsync("/api/account");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Patch_changes_the_display_name_and_an_empty_one_clears_it()
    {
        var session = await fixture.RegisterAsync(displayName: "Old");
        using var client = fixture.CreateClient(session);

        using var renamed = await client.PatchAsJsonAsync("/api/account", new { displayName = "  New Name  " });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("New Name", (await client.GetFromJsonAsync<UserDto>("/api/account"))!.DisplayName);

        using var cleared = await client.PatchAsJsonAsync("/api/account", new { displayName = "" });
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Null((await client.GetFromJsonAsync<UserDto>("/api/account"))!.DisplayName);

        using var tooLong = await client.PatchAsJsonAsync("/api/account", new { displayName = new string('x', 101) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await tooLong.Content.ReadFromJsonAsync<ProblemDto>())!.Errors!.ContainsKey("displayName"));
    }

    [Fact]
    public async Task Password_change_keeps_this_session_and_revokes_the_others()
    {
        var email = AuthAppFixture.NewEmail();
        var current = await fixture.RegisterAsync(email, "first-password-123");
        var other = await fixture.LoginAsync(email, "first-password-123");
        using var client = fixture.CreateClient(current);

        using var changed = await client.PostAsJsonAsync("/api/account/password", new { currentPassword = "first-password-123", newPassword = "second-password-456" });

        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        using var anonymous = fixture.CreateClient();
        using var otherRefresh = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = other.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, otherRefresh.StatusCode);
        using var currentRefresh = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = current.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, currentRefresh.StatusCode);

        using var oldLogin = await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = "first-password-123" });
        Assert.Equal(HttpStatusCode.Unauthorized, oldLogin.StatusCode);
        await fixture.LoginAsync(email, "second-password-456");
    }

    [Fact]
    public async Task Password_change_refuses_a_wrong_current_password_and_a_weak_new_one()
    {
        var session = await fixture.RegisterAsync(password: "first-password-789");
        using var client = fixture.CreateClient(session);

        using var wrong = await client.PostAsJsonAsync("/api/account/password", new { currentPassword = "not-my-password", newPassword = "second-password-789" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.True((await wrong.Content.ReadFromJsonAsync<ProblemDto>())!.Errors!.ContainsKey("currentPassword"));

        using var weak = await client.PostAsJsonAsync("/api/account/password", new { currentPassword = "first-password-789", newPassword = "qwertyuiop" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.True((await weak.Content.ReadFromJsonAsync<ProblemDto>())!.Errors!.ContainsKey("newPassword"));

        await fixture.LoginAsync(session.User.Email, "first-password-789");
    }

    [Fact]
    public async Task Usage_has_the_tier_quota_and_says_when_jobs_cannot_give_counters()
    {
        var session = await fixture.RegisterAsync();
        using var client = fixture.CreateClient(session);

        using var response = await client.GetAsync("/api/account/usage");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("free", usage.GetProperty("tier").GetString());
        Assert.Equal(50, usage.GetProperty("monthlyQuota").GetInt32());
        // Jobs is not part of this test system: the counters are null and flagged, not invented zeros.
        Assert.False(usage.GetProperty("usageAvailable").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, usage.GetProperty("images").ValueKind);
    }
}
