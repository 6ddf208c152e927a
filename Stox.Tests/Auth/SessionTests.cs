using System.Net;
using System.Net.Http.Json;

namespace Stox.Tests.Auth;

[Collection(AuthCollection.Name)]
public sealed class SessionTests(AuthAppFixture fixture)
{
    private async Task<HttpResponseMessage> RefreshAsync(string token)
    {
        using var client = fixture.CreateClient();
        return await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = token });
    }

    private async Task<HttpStatusCode> GetAccountStatusAsync(string accessToken)
    {
        using var client = fixture.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        using var response = await client.GetAsync("/api/account");
        return response.StatusCode;
    }

    [Fact]
    public async Task Refresh_rotates_the_pair_and_the_new_tokens_work()
    {
        var session = await fixture.RegisterAsync();

        using var response = await RefreshAsync(session.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var next = (await response.Content.ReadFromJsonAsync<AuthResult>(AuthAppFixture.Json))!;
        Assert.NotEqual(session.RefreshToken, next.RefreshToken);
        Assert.NotEqual(session.AccessToken, next.AccessToken);
        Assert.Equal(session.User.Id, next.User.Id);
        Assert.Equal(HttpStatusCode.OK, await GetAccountStatusAsync(next.AccessToken));
        using var again = await RefreshAsync(next.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Reusing_a_refresh_token_is_401_and_revokes_the_whole_family()
    {
        var session = await fixture.RegisterAsync();
        using var first = await RefreshAsync(session.RefreshToken);
        var next = (await first.Content.ReadFromJsonAsync<AuthResult>(AuthAppFixture.Json))!;
        var other = await fixture.LoginAsync(session.User.Email, "a-strong-password-1");

        using var replay = await RefreshAsync(session.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.EndsWith("/invalid-refresh-token", (await replay.Content.ReadFromJsonAsync<ProblemDto>())!.Type, StringComparison.Ordinal);

        // The thief's (or the victim's) newer token dies with the family; another session is untouched.
        using var descendant = await RefreshAsync(next.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, descendant.StatusCode);
        using var unrelated = await RefreshAsync(other.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, unrelated.StatusCode);
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_let_exactly_one_win()
    {
        var session = await fixture.RegisterAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RefreshAsync(session.RefreshToken)));

        try
        {
            Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task Unknown_and_malformed_refresh_tokens_are_refused()
    {
        using var unknown = await RefreshAsync("not-a-token-we-ever-issued");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);

        using var tooLong = await RefreshAsync(new string('a', 129));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await tooLong.Content.ReadFromJsonAsync<ProblemDto>())!.Errors!.ContainsKey("refreshToken"));

        using var client = fixture.CreateClient();
        using var missing = await client.PostAsJsonAsync("/api/auth/refresh", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task Logout_revokes_that_session_only()
    {
        var session = await fixture.RegisterAsync();
        var other = await fixture.LoginAsync(session.User.Email, "a-strong-password-1");
        using var client = fixture.CreateClient();

        using var logout = await client.PostAsJsonAsync("/api/auth/logout", new { refreshToken = session.RefreshToken });

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var refused = await RefreshAsync(session.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var kept = await RefreshAsync(other.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);

        // Logging out twice, or with a token we do not know, is still 204 (idempotent, reveals nothing).
        using var twice = await client.PostAsJsonAsync("/api/auth/logout", new { refreshToken = session.RefreshToken });
        Assert.Equal(HttpStatusCode.NoContent, twice.StatusCode);
    }

    [Fact]
    public async Task Logout_all_revokes_every_session_and_needs_an_access_token()
    {
        var session = await fixture.RegisterAsync();
        var other = await fixture.LoginAsync(session.User.Email, "a-strong-password-1");
        using var anonymous = fixture.CreateClient();
        using var refused = await anonymous.PostAsync("/api/auth/logout-all", null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var client = fixture.CreateClient(session);
        using var response = await client.PostAsync("/api/auth/logout-all", null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var a = await RefreshAsync(session.RefreshToken);
        using var b = await RefreshAsync(other.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, b.StatusCode);
    }

    [Fact]
    public async Task An_expired_refresh_token_is_refused()
    {
        var session = await fixture.RegisterAsync();
        await using (var db = await fixture.OpenAuthDbAsync())
        {
            await using var expire = new Npgsql.NpgsqlCommand(
                """UPDATE refresh_tokens SET "ExpiresAt" = now() - interval '1 second' WHERE "FamilyId" IN (SELECT "Id" FROM refresh_token_families WHERE "UserId" = @u)""", db);
            expire.Parameters.AddWithValue("u", session.User.Id);
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }

        using var response = await RefreshAsync(session.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Refresh_tokens_are_stored_only_as_hashes()
    {
        var session = await fixture.RegisterAsync();
        await using var db = await fixture.OpenAuthDbAsync();
        await using var select = new Npgsql.NpgsqlCommand(
            """SELECT t."TokenHash" FROM refresh_tokens t JOIN refresh_token_families f ON f."Id" = t."FamilyId" WHERE f."UserId" = @u""", db);
        select.Parameters.AddWithValue("u", session.User.Id);
        var stored = (byte[])(await select.ExecuteScalarAsync())!;

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(session.RefreshToken)), stored);
    }
}
