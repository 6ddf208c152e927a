using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Stox.Tests.Auth;

[Collection(AuthCollection.Name)]
public sealed class AdminTests(AuthAppFixture fixture)
{
    private sealed record Page(List<JsonElement> Items, string? NextCursor);

    [Fact]
    public async Task The_bootstrap_email_is_an_admin_and_others_are_not()
    {
        var admin = await fixture.LoginAdminAsync();
        var user = await fixture.RegisterAsync();

        Assert.Equal("admin", admin.User.Role);
        Assert.Equal("admin", TestTokens.ReadPart(admin.AccessToken, 1).GetProperty("role").GetString());
        using var client = fixture.CreateClient(user);
        using var forbidden = await client.GetAsync("/api/admin/users");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var anonymous = fixture.CreateClient();
        using var unauthorized = await anonymous.GetAsync("/api/admin/users");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
    }

    [Fact]
    public async Task Users_are_listed_with_a_cursor_without_gaps_or_repeats()
    {
        for (var i = 0; i < 3; i++)
        {
            await fixture.RegisterAsync();
        }

        using var client = fixture.CreateClient(await fixture.LoginAdminAsync());
        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await client.GetFromJsonAsync<Page>($"/api/admin/users?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}", AuthAppFixture.Json);
            Assert.InRange(page!.Items.Count, 0, 2);
            seen.AddRange(page.Items.Select(u => u.GetProperty("id").GetGuid()));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var all = await client.GetFromJsonAsync<Page>("/api/admin/users?limit=200", AuthAppFixture.Json);
        Assert.Equal(all!.Items.Select(u => u.GetProperty("id").GetGuid()), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.True(seen.Count >= 4);

        using var badLimit = await client.GetAsync("/api/admin/users?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        using var badCursor = await client.GetAsync("/api/admin/users?cursor=%%%");
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
    }

    [Fact]
    public async Task Patch_changes_role_and_tier_which_the_next_tokens_carry()
    {
        var user = await fixture.RegisterAsync();
        using var admin = fixture.CreateClient(await fixture.LoginAdminAsync());

        using var response = await admin.PatchAsJsonAsync($"/api/admin/users/{user.User.Id}", new { tier = "pro" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var anonymous = fixture.CreateClient();
        using var refreshed = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken });
        var next = (await refreshed.Content.ReadFromJsonAsync<AuthResult>(AuthAppFixture.Json))!;
        Assert.Equal("pro", next.User.Tier);
        Assert.Equal("pro", TestTokens.ReadPart(next.AccessToken, 1).GetProperty("tier").GetString());

        using var client = fixture.CreateClient(next);
        var usage = await client.GetFromJsonAsync<JsonElement>("/api/account/usage");
        Assert.Equal(20_000, usage.GetProperty("monthlyQuota").GetInt32());
    }

    [Fact]
    public async Task Patch_validates_its_input()
    {
        var user = await fixture.RegisterAsync();
        using var admin = fixture.CreateClient(await fixture.LoginAdminAsync());

        using var bad = await admin.PatchAsJsonAsync($"/api/admin/users/{user.User.Id}", new { role = "root", tier = "gold" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.True(problem!.Errors!.ContainsKey("role"));
        Assert.True(problem.Errors.ContainsKey("tier"));

        using var empty = await admin.PatchAsJsonAsync($"/api/admin/users/{user.User.Id}", new { });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        using var missing = await admin.PatchAsJsonAsync($"/api/admin/users/{Guid.NewGuid()}", new { tier = "pro" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_deactivated_user_cannot_log_in_refresh_or_use_the_account()
    {
        var email = AuthAppFixture.NewEmail();
        var user = await fixture.RegisterAsync(email, "soon-deactivated-1");
        using var admin = fixture.CreateClient(await fixture.LoginAdminAsync());

        using var response = await admin.PatchAsJsonAsync($"/api/admin/users/{user.User.Id}", new { isActive = false });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var anonymous = fixture.CreateClient();
        using var login = await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = "soon-deactivated-1" });
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        using var refresh = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        using var client = fixture.CreateClient(user);
        using var account = await client.GetAsync("/api/account");
        Assert.Equal(HttpStatusCode.Unauthorized, account.StatusCode);

        // The deny-list entry other services can check, for at least one access-token lifetime.
        var redis = await fixture.App.GetConnectionStringAsync("cache");
        var ttl = await RedisTtlAsync(redis!, $"stox:auth:deny:{user.User.Id}");
        Assert.InRange(ttl, 900, 960);

        // Reactivated, the user can sign in again (old sessions stay revoked).
        using var back = await admin.PatchAsJsonAsync($"/api/admin/users/{user.User.Id}", new { isActive = true });
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        await fixture.LoginAsync(email, "soon-deactivated-1");
        using var stillRevoked = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, stillRevoked.StatusCode);
        Assert.Equal(-2, await RedisTtlAsync(redis!, $"stox:auth:deny:{user.User.Id}"));
    }

    [Fact]
    public async Task An_admin_cannot_demote_or_deactivate_themselves()
    {
        var admin = await fixture.LoginAdminAsync();
        using var client = fixture.CreateClient(admin);

        using var response = await client.PatchAsJsonAsync($"/api/admin/users/{admin.User.Id}", new { isActive = false });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task A_demoted_admin_loses_admin_rights_at_once()
    {
        var email = AuthAppFixture.NewEmail("second-admin");
        var second = await fixture.RegisterAsync(email, "second-admin-pass");
        using var root = fixture.CreateClient(await fixture.LoginAdminAsync());
        using var promote = await root.PatchAsJsonAsync($"/api/admin/users/{second.User.Id}", new { role = "admin" });
        Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        var promoted = await fixture.LoginAsync(email, "second-admin-pass");
        using var secondClient = fixture.CreateClient(promoted);
        using var allowed = await secondClient.GetAsync("/api/admin/users?limit=1");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        using var demote = await root.PatchAsJsonAsync($"/api/admin/users/{second.User.Id}", new { role = "user" });
        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);

        // Its access token still says admin, but auth checks the database.
        using var refused = await secondClient.GetAsync("/api/admin/users?limit=1");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private static async Task<long> RedisTtlAsync(string connectionString, string key)
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(connectionString);
        return (long)(await redis.GetDatabase().ExecuteAsync("TTL", key));
    }
}
