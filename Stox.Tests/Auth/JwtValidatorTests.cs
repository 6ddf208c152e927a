using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Tests.Auth;

/// <summary>The shared validator alone, no server: every rejection rule.</summary>
public sealed class JwtValidatorTests
{
    // RSA key generation takes seconds on these machines: one key for the whole class.
    private static readonly RSA SharedKey = RSA.Create(2048);
    private readonly RSA _key = SharedKey;
    private readonly Guid _sub = Guid.NewGuid();

    private JwtValidationResult Validate(string token, DateTimeOffset? now = null) =>
        JwtValidator.Validate(token, kid => kid == "k1" ? _key : null, "stox-auth", "stox-api", now ?? DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30));

    private string Token(object? header = null, Dictionary<string, object>? claims = null) =>
        TestTokens.Sign(header ?? new { alg = "RS256", typ = "at+jwt", kid = "k1" }, claims ?? TestTokens.Claims(_sub), _key);

    [Fact]
    public void A_good_token_gives_a_principal_with_short_claim_names()
    {
        var result = Validate(Token());

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(_sub.ToString(), result.Principal!.Identity!.Name);
        Assert.True(result.Principal.IsInRole("user"));
        Assert.Equal("free", result.Principal.FindFirst("tier")!.Value);
    }

    [Fact]
    public void An_audience_array_containing_ours_is_accepted()
    {
        var claims = TestTokens.Claims(_sub);
        claims["aud"] = new[] { "other", "stox-api" };
        Assert.True(Validate(Token(claims: claims)).Succeeded);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("RS512")]
    [InlineData("ES256")]
    [InlineData("rs256")]
    public void Other_algorithms_are_refused(string alg) =>
        Assert.Contains("algorithm", Validate(Token(new { alg, kid = "k1" })).Error, StringComparison.Ordinal);

    [Fact]
    public void Missing_or_unknown_kid_and_crit_headers_are_refused()
    {
        Assert.False(Validate(Token(new { alg = "RS256" })).Succeeded);
        Assert.False(Validate(Token(new { alg = "RS256", kid = "k2" })).Succeeded);
        Assert.False(Validate(Token(new { alg = "RS256", kid = "k1", crit = new[] { "exp" } })).Succeeded);
        Assert.False(Validate(Token(new { alg = "RS256", kid = "k1", typ = "id+jwt" })).Succeeded);
    }

    [Fact]
    public void Expiry_not_before_and_issue_time_are_checked_with_skew()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.True(Validate(Token(claims: TestTokens.Claims(_sub, exp: now.AddSeconds(-10))), now).Succeeded);
        Assert.Contains("expired", Validate(Token(claims: TestTokens.Claims(_sub, exp: now.AddSeconds(-31))), now).Error, StringComparison.Ordinal);

        var noExp = TestTokens.Claims(_sub);
        noExp.Remove("exp");
        Assert.False(Validate(Token(claims: noExp)).Succeeded);

        var future = TestTokens.Claims(_sub);
        future["nbf"] = now.AddMinutes(5).ToUnixTimeSeconds();
        Assert.False(Validate(Token(claims: future), now).Succeeded);

        Assert.False(Validate(Token(claims: TestTokens.Claims(_sub, iat: now.AddMinutes(5))), now).Succeeded);
    }

    [Fact]
    public void Issuer_audience_and_subject_are_required()
    {
        Assert.False(Validate(Token(claims: TestTokens.Claims(_sub, iss: "stox-auth2"))).Succeeded);
        Assert.False(Validate(Token(claims: TestTokens.Claims(_sub, aud: "stox-api2"))).Succeeded);
        var noSub = TestTokens.Claims(_sub);
        noSub.Remove("sub");
        Assert.False(Validate(Token(claims: noSub)).Succeeded);
        var noAud = TestTokens.Claims(_sub);
        noAud.Remove("aud");
        Assert.False(Validate(Token(claims: noAud)).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("!!!.###.$$$")]
    public void Garbage_is_refused_without_throwing(string token) => Assert.False(Validate(token).Succeeded);

    [Fact]
    public void A_changed_signature_or_payload_is_refused()
    {
        var token = Token();
        var parts = token.Split('.');
        var signature = Base64Url.DecodeFromChars(parts[2]);
        signature[0] ^= 1;
        Assert.Contains("signature", Validate($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}").Error, StringComparison.Ordinal);

        var claims = TestTokens.Claims(_sub);
        claims["role"] = "admin";
        Assert.False(Validate($"{parts[0]}.{Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims))}.{parts[2]}").Succeeded);
    }

    [Fact]
    public void Jwk_round_trip_keeps_only_public_parameters()
    {
        var jwk = JsonWebKey.FromRsa("k1", _key);
        using var rsa = jwk.ToRsa();
        Assert.NotNull(rsa);
        Assert.Throws<CryptographicException>(() => rsa!.ExportParameters(includePrivateParameters: true));
        Assert.True(Validate(Token()).Succeeded);
        Assert.True(JwtValidator.Validate(Token(), _ => rsa, "stox-auth", "stox-api", DateTimeOffset.UtcNow, TimeSpan.Zero).Succeeded);
        Assert.Null((jwk with { Alg = "RS512" }).ToRsa());
    }
}
