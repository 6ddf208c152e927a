using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace Stox.ServiceDefaults.Authentication;

/// <summary>An RFC 7517 key set (public RSA keys only).</summary>
public sealed record JsonWebKeySet([property: JsonPropertyName("keys")] IReadOnlyList<JsonWebKey> Keys);

/// <summary>One public RSA signing key in RFC 7517 form.</summary>
public sealed record JsonWebKey(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("use")] string? Use,
    [property: JsonPropertyName("alg")] string? Alg,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("n")] string N,
    [property: JsonPropertyName("e")] string E)
{
    public static JsonWebKey FromRsa(string kid, RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return new JsonWebKey("RSA", "sig", StoxJwtDefaults.Algorithm, kid, Base64Url.EncodeToString(parameters.Modulus), Base64Url.EncodeToString(parameters.Exponent));
    }

    /// <summary>The public key, or null when this is not a usable RS256 signing key.</summary>
    public RSA? ToRsa()
    {
        if (Kty != "RSA" || (Use is not null && Use != "sig") || (Alg is not null && Alg != StoxJwtDefaults.Algorithm)
            || string.IsNullOrEmpty(Kid) || string.IsNullOrEmpty(N) || string.IsNullOrEmpty(E))
        {
            return null;
        }

        try
        {
            var modulus = Base64Url.DecodeFromChars(N);
            if (modulus.Length < 256)
            {
                return null; // fewer than 2048 bits
            }

            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = Base64Url.DecodeFromChars(E) });
            return rsa;
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }
}
