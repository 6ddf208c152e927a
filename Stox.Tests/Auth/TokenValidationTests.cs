using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Stox.Auth.Tokens;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Tests.Auth;

/// <summary>
/// The validation every service runs (JsonWebTokenHandler with <see cref="StoxTokenValidation"/>'s parameters and
/// rules), no server: every rejection rule.
/// </summary>
public sealed class TokenValidationTests
{
    // RSA key generation takes seconds on these machines: one key for the whole class.
    private static readonly RSA SharedKey = RSA.Create(2048);
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = StoxTokenValidation.MaxTokenLength };
    private readonly RSA _key = SharedKey;
    private readonly Guid _sub = Guid.NewGuid();

    private async Task<(ClaimsPrincipal? Principal, string? Error)> ValidateAsync(string token, RSA? key = null)
    {
        var parameters = StoxTokenValidation.CreateParameters(new StoxJwtOptions());
        parameters.IssuerSigningKeys = [new RsaSecurityKey(key ?? _key) { KeyId = "k1" }];
        var result = await Handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return (null, result.Exception?.GetType().Name + ": " + result.Exception?.Message);
        }

        var error = StoxTokenValidation.CheckStoxRules(result.SecurityToken, result.ClaimsIdentity, parameters.ClockSkew);
        return error is null ? (new ClaimsPrincipal(result.ClaimsIdentity), null) : (null, error);
    }

    private async Task<bool> SucceedsAsync(string token) => (await ValidateAsync(token)).Principal is not null;

    private string Token(object? header = null, Dictionary<string, object>? claims = null) =>
        TestTokens.Sign(header ?? new { alg = "RS256", typ = "at+jwt", kid = "k1" }, claims ?? TestTokens.Claims(_sub), _key);

    [Fact]
    public async Task A_good_token_gives_a_principal_with_short_claim_names()
    {
        var (principal, error) = await ValidateAsync(Token());

        Assert.True(principal is not null, error);
        Assert.Equal(_sub.ToString(), principal.Identity!.Name);
        Assert.True(principal.IsInRole("user"));
        Assert.Equal("free", principal.FindFirst("tier")!.Value);
    }

    [Fact]
    public async Task An_audience_array_containing_ours_is_accepted()
    {
        var claims = TestTokens.Claims(_sub);
        claims["aud"] = new[] { "other", "stox-api" };
        Assert.True(await SucceedsAsync(Token(claims: claims)));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("RS512")]
    [InlineData("ES256")]
    [InlineData("rs256")]
    public async Task Other_algorithms_are_refused(string alg) =>
        Assert.False(await SucceedsAsync(Token(new { alg, typ = "at+jwt", kid = "k1" })));

    [Fact]
    public async Task Missing_or_unknown_kid_crit_headers_and_other_types_are_refused()
    {
        Assert.False(await SucceedsAsync(Token(new { alg = "RS256", typ = "at+jwt" })));
        Assert.False(await SucceedsAsync(Token(new { alg = "RS256", typ = "at+jwt", kid = "k2" })));
        Assert.False(await SucceedsAsync(Token(new { alg = "RS256", typ = "at+jwt", kid = "k1", crit = new[] { "exp" } })));
        Assert.False(await SucceedsAsync(Token(new { alg = "RS256", kid = "k1", typ = "id+jwt" })));
    }

    [Fact]
    public async Task Expiry_not_before_and_issue_time_are_checked_with_skew()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.True(await SucceedsAsync(Token(claims: TestTokens.Claims(_sub, exp: now.AddSeconds(-10)))));
        Assert.Contains("Expired", (await ValidateAsync(Token(claims: TestTokens.Claims(_sub, exp: now.AddSeconds(-31))))).Error, StringComparison.Ordinal);

        var noExp = TestTokens.Claims(_sub);
        noExp.Remove("exp");
        Assert.False(await SucceedsAsync(Token(claims: noExp)));

        var future = TestTokens.Claims(_sub);
        future["nbf"] = now.AddMinutes(5).ToUnixTimeSeconds();
        Assert.False(await SucceedsAsync(Token(claims: future)));

        Assert.False(await SucceedsAsync(Token(claims: TestTokens.Claims(_sub, iat: now.AddMinutes(5)))));
        var noIat = TestTokens.Claims(_sub);
        noIat.Remove("iat");
        Assert.False(await SucceedsAsync(Token(claims: noIat)));
    }

    [Fact]
    public async Task Issuer_audience_and_subject_are_required()
    {
        Assert.False(await SucceedsAsync(Token(claims: TestTokens.Claims(_sub, iss: "stox-auth2"))));
        Assert.False(await SucceedsAsync(Token(claims: TestTokens.Claims(_sub, aud: "stox-api2"))));
        var noSub = TestTokens.Claims(_sub);
        noSub.Remove("sub");
        Assert.False(await SucceedsAsync(Token(claims: noSub)));
        var noAud = TestTokens.Claims(_sub);
        noAud.Remove("aud");
        Assert.False(await SucceedsAsync(Token(claims: noAud)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("!!!.###.$$$")]
    public async Task Garbage_is_refused_without_throwing(string token) => Assert.False(await SucceedsAsync(token));

    [Fact]
    public async Task A_token_longer_than_the_limit_is_refused_unread()
    {
        var claims = TestTokens.Claims(_sub);
        claims["padding"] = new string('x', StoxTokenValidation.MaxTokenLength);
        Assert.False(await SucceedsAsync(Token(claims: claims)));
    }

    [Fact]
    public async Task A_changed_signature_or_payload_is_refused()
    {
        var token = Token();
        var parts = token.Split('.');
        var signature = Base64Url.DecodeFromChars(parts[2]);
        signature[0] ^= 1;
        Assert.Contains("Signature", (await ValidateAsync($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}")).Error, StringComparison.Ordinal);

        var claims = TestTokens.Claims(_sub);
        claims["role"] = "admin";
        Assert.False(await SucceedsAsync($"{parts[0]}.{Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims))}.{parts[2]}"));
    }

    [Fact]
    public async Task Published_keys_carry_only_public_parameters_and_validate_through_the_library()
    {
        var published = PublishedKey.FromRsa("k1", _key);
        var set = new JsonWebKeySet(JsonSerializer.Serialize(new PublishedKeySet([published])));
        var jwk = Assert.Single(set.Keys);
        Assert.False(jwk.HasPrivateKey);
        Assert.Equal(["RSA", "sig", "RS256", "k1"], new[] { jwk.Kty, jwk.Use, jwk.Alg, jwk.Kid });

        var parameters = StoxTokenValidation.CreateParameters(new StoxJwtOptions());
        parameters.IssuerSigningKeys = set.GetSigningKeys();
        Assert.True((await Handler.ValidateTokenAsync(Token(), parameters)).IsValid);
    }
}
