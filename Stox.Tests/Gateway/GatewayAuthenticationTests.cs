using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Tests.Auth;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Gateway;

/// <summary>Tokens checked at the edge from the auth service's JWKS, and the identity forwarded to services.</summary>
[Collection(SystemCollection.Name)]
public sealed class GatewayAuthenticationTests(StoxAppFixture fixture)
{
    [Fact]
    public async Task A_user_registered_through_the_gateway_reaches_their_account_with_the_token()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");
        var email = $"edge-{Guid.NewGuid():N}@stox.test";

        using var registered = await gateway.PostAsJsonAsync("/api/auth/register", new { email, password = "a-long-enough-passphrase-1" });
        var token = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/account");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var account = await gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Equal(email, JsonDocument.Parse(await account.Content.ReadAsStringAsync()).RootElement.GetProperty("email").GetString());
    }

    public static TheoryData<string, string?> RejectedTokens()
    {
        using var strangerKey = RSA.Create(2048);
        var sub = Guid.NewGuid();
        var header = new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "at+jwt", ["kid"] = "not-a-stox-key" };
        return new()
        {
            { "no token", null },
            { "garbage", "not.a.jwt" },
            { "alg none", TestTokens.Sign(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "at+jwt" }, TestTokens.Claims(sub), null) },
            { "signed by another key", TestTokens.Sign(header, TestTokens.Claims(sub), strangerKey) },
            { "wrong audience", TestTokens.Sign(header, TestTokens.Claims(sub, aud: "someone-else"), strangerKey) },
            { "expired", TestTokens.Sign(header, TestTokens.Claims(sub, exp: DateTimeOffset.UtcNow.AddHours(-1), iat: DateTimeOffset.UtcNow.AddHours(-2)), strangerKey) },
        };
    }

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task Protected_routes_refuse_requests_without_a_valid_token_at_the_edge(string why, string? token)
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/images");
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        }

        using var response = await gateway.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: got {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_JWKS_and_discovery_documents_are_public_through_the_gateway()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");
        var jwks = JsonDocument.Parse(await gateway.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative))).RootElement;

        var discovery = JsonDocument.Parse(await gateway.GetStringAsync(new Uri("/.well-known/openid-configuration", UriKind.Relative))).RootElement;

        Assert.NotEmpty(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal("stox-auth", discovery.GetProperty("issuer").GetString());
    }
}
