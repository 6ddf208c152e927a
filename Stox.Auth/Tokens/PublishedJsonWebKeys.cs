using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Auth.Tokens;

/// <summary>The RFC 7517 key set auth publishes at <c>/.well-known/jwks.json</c> (public RSA keys only).</summary>
public sealed record PublishedKeySet([property: JsonPropertyName("keys")] IReadOnlyList<PublishedKey> Keys);

/// <summary>One public RS256 signing key in RFC 7517 form: only what a validator needs, never a private parameter.</summary>
public sealed record PublishedKey(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("use")] string? Use,
    [property: JsonPropertyName("alg")] string? Alg,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("n")] string N,
    [property: JsonPropertyName("e")] string E)
{
    public static PublishedKey FromRsa(string kid, RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return new PublishedKey("RSA", "sig", StoxJwtDefaults.Algorithm, kid, Base64Url.EncodeToString(parameters.Modulus), Base64Url.EncodeToString(parameters.Exponent));
    }
}
