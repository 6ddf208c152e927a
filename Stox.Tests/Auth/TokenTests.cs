using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Auth.Tokens;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Tests.Auth;

[Collection(AuthCollection.Name)]
public sealed class TokenTests(AuthAppFixture fixture)
{
    private async Task<HttpStatusCode> AccountStatusAsync(string token)
    {
        using var client = fixture.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var response = await client.GetAsync("/api/account");
        return response.StatusCode;
    }

    private async Task<PublishedKeySet> GetJwksAsync()
    {
        using var client = fixture.CreateClient();
        return (await client.GetFromJsonAsync<PublishedKeySet>("/.well-known/jwks.json"))!;
    }

    [Fact]
    public async Task Access_tokens_carry_the_documented_header_and_claims()
    {
        var session = await fixture.RegisterAsync();
        var header = TestTokens.ReadPart(session.AccessToken, 0);
        var payload = TestTokens.ReadPart(session.AccessToken, 1);

        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        Assert.Contains((await GetJwksAsync()).Keys, k => k.Kid == header.GetProperty("kid").GetString());
        Assert.Equal(session.User.Id.ToString(), payload.GetProperty("sub").GetString());
        Assert.Equal(session.User.Email, payload.GetProperty("email").GetString());
        Assert.Equal("user", payload.GetProperty("role").GetString());
        Assert.Equal("free", payload.GetProperty("tier").GetString());
        Assert.Equal("stox-auth", payload.GetProperty("iss").GetString());
        Assert.Equal("stox-api", payload.GetProperty("aud").GetString());
        Assert.False(string.IsNullOrEmpty(payload.GetProperty("jti").GetString()));
        Assert.Equal(900, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task Jwks_and_discovery_publish_public_keys_only()
    {
        using var client = fixture.CreateClient();
        var raw = await client.GetStringAsync("/.well-known/jwks.json");
        var discovery = await client.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");

        using var doc = JsonDocument.Parse(raw);
        var key = doc.RootElement.GetProperty("keys")[0];
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        foreach (var secret in new[] { "d", "p", "q", "dp", "dq", "qi" })
        {
            Assert.False(key.TryGetProperty(secret, out _), $"the JWKS must not contain '{secret}'");
        }

        Assert.Equal("stox-auth", discovery.GetProperty("issuer").GetString());
        Assert.EndsWith("/.well-known/jwks.json", discovery.GetProperty("jwks_uri").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_service_validates_tokens_from_the_jwks_alone()
    {
        var session = await fixture.RegisterAsync();
        using var http = new HttpClient();
        var keys = CreateJwksConfigurationManager(http);
        var parameters = StoxTokenValidation.CreateParameters(new StoxJwtOptions());
        parameters.ConfigurationManager = keys;

        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(session.AccessToken, parameters);

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Null(StoxTokenValidation.CheckStoxRules(result.SecurityToken, result.ClaimsIdentity, parameters.ClockSkew));
        Assert.Equal(session.User.Id.ToString(), result.ClaimsIdentity.Name);
        Assert.True(new System.Security.Claims.ClaimsPrincipal(result.ClaimsIdentity).IsInRole("user"));
    }

    [Fact]
    public async Task A_token_made_with_the_real_key_and_valid_claims_is_accepted_the_control_case()
    {
        var session = await fixture.RegisterAsync();
        var (kid, key) = await fixture.ReadCurrentKeyAsync();

        var token = TestTokens.Sign(new { alg = "RS256", typ = "at+jwt", kid }, TestTokens.Claims(session.User.Id), key);

        Assert.Equal(HttpStatusCode.OK, await AccountStatusAsync(token));
    }

    [Fact]
    public async Task Alg_none_is_rejected()
    {
        var session = await fixture.RegisterAsync();
        var (kid, _) = await fixture.ReadCurrentKeyAsync();

        var token = TestTokens.Sign(new { alg = "none", kid }, TestTokens.Claims(session.User.Id), key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, await AccountStatusAsync(token));
    }

    [Fact]
    public async Task Hs256_signed_with_the_public_key_is_rejected()
    {
        var session = await fixture.RegisterAsync();
        var (kid, key) = await fixture.ReadCurrentKeyAsync();
        var header = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", kid })).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var payload = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(TestTokens.Claims(session.User.Id))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var mac = HMACSHA256.HashData(key.ExportSubjectPublicKeyInfo(), Encoding.ASCII.GetBytes($"{header}.{payload}"));

        var token = $"{header}.{payload}.{Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";

        Assert.Equal(HttpStatusCode.Unauthorized, await AccountStatusAsync(token));
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_rejected_even_with_a_real_kid()
    {
        var session = await fixture.RegisterAsync();
        var (kid, _) = await fixture.ReadCurrentKeyAsync();
        using var attacker = RSA.Create(2048);

        Assert.Equal(HttpStatusCode.Unauthorized, await AccountStatusAsync(TestTokens.Sign(new { alg = "RS256", kid }, TestTokens.Claims(session.User.Id), attacker)));
        Assert.Equal(HttpStatusCode.Unauthorized, await AccountStatusAsync(TestTokens.Sign(new { alg = "RS256", kid = "made-up" }, TestTokens.Claims(session.User.Id), attacker)));
    }

    [Fact]
    public async Task Wrong_audience_wrong_issuer_and_expired_tokens_are_rejected()
    {
        var session = await fixture.RegisterAsync();
        var (kid, key) = await fixture.ReadCurrentKeyAsync();
        var header = new { alg = "RS256", kid };
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.Unauthorized, await AccountStatusAsync(TestTokens.Sign(header, TestTokens.Claims(session.User.Id, aud: "someone-else"), key)));
        Assert.Equal(HttpStatusCode.Unauthorized, await AccountStatusAsync(TestTokens.Sign(header, TestTokens.Claims(session.User.Id, iss: "evil"), key)));
        Assert.Equal(HttpStatusCode.Unauthorized, await AccountStatusAsync(
            TestTokens.Sign(header, TestTokens.Claims(session.User.Id, exp: now.AddMinutes(-2), iat: now.AddMinutes(-17)), key)));
    }

    [Fact]
    public async Task A_tampered_token_is_rejected_with_a_bearer_challenge()
    {
        var session = await fixture.RegisterAsync();
        var parts = session.AccessToken.Split('.');
        var claims = TestTokens.ReadPart(session.AccessToken, 1).Deserialize<Dictionary<string, object>>()!;
        claims["role"] = "admin";
        var forged = $"{parts[0]}.{Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(claims)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.{parts[2]}";

        using var client = fixture.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", forged);
        using var response = await client.GetAsync("/api/account");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_rotation_publishes_current_and_previous_and_retires_the_one_before()
    {
        var before = await fixture.RegisterAsync();
        var kid1 = TestTokens.ReadPart(before.AccessToken, 0).GetProperty("kid").GetString();
        using var http = new HttpClient();
        var keys = CreateJwksConfigurationManager(http);
        Assert.Contains((await keys.GetConfigurationAsync(CancellationToken.None)).SigningKeys, k => k.KeyId == kid1);

        var kid2 = await RotateAsync();
        Assert.NotEqual(kid1, kid2);
        Assert.Equal([kid2, kid1], (await GetJwksAsync()).Keys.Select(k => k.Kid));
        Assert.Equal(HttpStatusCode.OK, await AccountStatusAsync(before.AccessToken));
        var after = await fixture.LoginAsync(before.User.Email, "a-strong-password-1");
        Assert.Equal(kid2, TestTokens.ReadPart(after.AccessToken, 0).GetProperty("kid").GetString());

        // Another service learns the new key when asked to refresh (as JwtBearer does on an unknown kid), without
        // waiting for its cache to age.
        // (The refresh may run in the background, depending on IdentityModel's UpdateConfigAsBlocking switch.)
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        keys.RequestRefresh();
        var learned = false;
        for (var attempt = 0; attempt < 50 && !learned; attempt++)
        {
            learned = (await keys.GetConfigurationAsync(CancellationToken.None)).SigningKeys.Any(k => k.KeyId == kid2);
            if (!learned)
            {
                await Task.Delay(100);
            }
        }

        Assert.True(learned, $"the new key {kid2} was not fetched");

        var kid3 = await RotateAsync();
        Assert.Equal([kid3, kid2], (await GetJwksAsync()).Keys.Select(k => k.Kid));
        Assert.Equal(HttpStatusCode.Unauthorized, await AccountStatusAsync(before.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await AccountStatusAsync(after.AccessToken));
    }

    private async Task<string> RotateAsync()
    {
        using var admin = fixture.CreateClient(await fixture.LoginAdminAsync());
        using var response = await admin.PostAsync("/api/admin/keys/rotate", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kid").GetString()!;
    }

    private ConfigurationManager<OpenIdConnectConfiguration> CreateJwksConfigurationManager(HttpClient http) => new(
        new Uri(fixture.App.GetEndpoint("auth"), "/.well-known/jwks.json").ToString(),
        new JwksConfigurationRetriever(),
        new HttpDocumentRetriever(http) { RequireHttps = false })
    {
        RefreshInterval = TimeSpan.FromSeconds(1),
    };
}
