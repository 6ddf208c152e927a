using System.Buffers;
using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stox.ServiceDefaults.Authentication;

/// <summary>The outcome of validating one token: a principal, or the reason it was refused.</summary>
public readonly record struct JwtValidationResult(ClaimsPrincipal? Principal, string? Error)
{
    public bool Succeeded => Principal is not null;

    public static JwtValidationResult Fail(string error) => new(null, error);
}

/// <summary>
/// A deliberately narrow JWS validator for Stox access tokens: compact serialisation, <c>RS256</c> only (so
/// <c>alg: none</c>, HMAC-with-the-public-key confusion and every other algorithm are refused before any
/// cryptography), a <c>kid</c> that must name a published key, then <c>iss</c>, <c>aud</c>, <c>exp</c>,
/// <c>nbf</c>, <c>iat</c> and <c>sub</c>. It allocates little and takes a few tens of microseconds, most of it
/// the RSA verification.
/// </summary>
public static class JwtValidator
{
    /// <summary>Tokens longer than this are refused unread.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private static readonly JwtValidationResult Malformed = JwtValidationResult.Fail("The token is malformed.");

    /// <summary>Reads the <c>kid</c> of a token whose header is well formed and says RS256; null otherwise.</summary>
    public static string? ReadKeyId(string token)
    {
        if (!TrySplit(token, out var header, out _, out _))
        {
            return null;
        }

        return TryReadHeader(token.AsSpan(header.Start, header.Length), out var kid, out _) ? kid : null;
    }

    /// <summary>Validates <paramref name="token"/>; <paramref name="keys"/> maps a <c>kid</c> to its public key (or null).</summary>
    public static JwtValidationResult Validate(
        string token,
        Func<string, RSA?> keys,
        string issuer,
        string audience,
        DateTimeOffset now,
        TimeSpan clockSkew)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (!TrySplit(token, out var headerRange, out var payloadRange, out var signatureRange))
        {
            return Malformed;
        }

        if (!TryReadHeader(token.AsSpan(headerRange.Start, headerRange.Length), out var kid, out var headerError))
        {
            return JwtValidationResult.Fail(headerError!);
        }

        var key = keys(kid!);
        if (key is null)
        {
            return JwtValidationResult.Fail("The token is signed with an unknown key.");
        }

        if (!VerifySignature(token, headerRange.Length + 1 + payloadRange.Length, signatureRange, key))
        {
            return JwtValidationResult.Fail("The token signature is invalid.");
        }

        return ReadPayload(token.AsSpan(payloadRange.Start, payloadRange.Length), issuer, audience, now, clockSkew);
    }

    private static bool TrySplit(string token, out Range3 header, out Range3 payload, out Range3 signature)
    {
        header = payload = signature = default;
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return false;
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0)
        {
            return false;
        }

        var second = token.IndexOf('.', first + 1);
        if (second <= first + 1 || second == token.Length - 1 || token.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        header = new Range3(0, first);
        payload = new Range3(first + 1, second - first - 1);
        signature = new Range3(second + 1, token.Length - second - 1);
        return true;
    }

    private static bool TryReadHeader(ReadOnlySpan<char> encoded, out string? kid, out string? error)
    {
        kid = null;
        error = "The token header is malformed.";
        byte[]? rented = null;
        try
        {
            var max = Base64Url.GetMaxDecodedLength(encoded.Length);
            Span<byte> buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
            if (Base64Url.DecodeFromChars(encoded, buffer, out _, out var written) != OperationStatus.Done)
            {
                return false;
            }

            string? alg = null;
            string? typ = null;
            var reader = new Utf8JsonReader(buffer[..written]);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8))
                {
                    reader.Read();
                    alg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("kid"u8))
                {
                    reader.Read();
                    kid = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("typ"u8))
                {
                    reader.Read();
                    typ = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("crit"u8))
                {
                    error = "The token header has critical extensions this validator does not understand.";
                    return false;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return false;
            }

            // Only the one algorithm we issue: "none", HS256 and friends never reach the crypto.
            if (!string.Equals(alg, StoxJwtDefaults.Algorithm, StringComparison.Ordinal))
            {
                error = $"The token algorithm is not accepted (only {StoxJwtDefaults.Algorithm}).";
                return false;
            }

            if (typ is not null && !string.Equals(typ, StoxJwtDefaults.TokenType, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(typ, "JWT", StringComparison.OrdinalIgnoreCase))
            {
                error = "The token type is not an access token.";
                return false;
            }

            if (string.IsNullOrEmpty(kid))
            {
                error = "The token header has no key id.";
                return false;
            }

            error = null;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool VerifySignature(string token, int signedLength, Range3 signatureRange, RSA key)
    {
        Span<byte> signature = stackalloc byte[1024];
        if (Base64Url.DecodeFromChars(token.AsSpan(signatureRange.Start, signatureRange.Length), signature, out _, out var signatureLength) != OperationStatus.Done)
        {
            return false;
        }

        byte[]? rented = null;
        try
        {
            // The signed part is ASCII by construction (base64url); anything else is simply a different input.
            Span<byte> data = signedLength <= 4096 ? stackalloc byte[4096] : (rented = ArrayPool<byte>.Shared.Rent(signedLength));
            var bytes = Encoding.ASCII.GetBytes(token.AsSpan(0, signedLength), data);
            return key.VerifyData(data[..bytes], signature[..signatureLength], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static JwtValidationResult ReadPayload(ReadOnlySpan<char> encoded, string issuer, string audience, DateTimeOffset now, TimeSpan clockSkew)
    {
        byte[]? rented = null;
        try
        {
            var max = Base64Url.GetMaxDecodedLength(encoded.Length);
            Span<byte> buffer = max <= 2048 ? stackalloc byte[2048] : (rented = ArrayPool<byte>.Shared.Rent(max));
            if (Base64Url.DecodeFromChars(encoded, buffer, out _, out var written) != OperationStatus.Done)
            {
                return Malformed;
            }

            string? iss = null;
            var audienceMatches = false;
            long? exp = null;
            long? nbf = null;
            long? iat = null;
            var claims = new List<Claim>(8);
            var reader = new Utf8JsonReader(buffer[..written]);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Malformed;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "iss":
                        iss = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "aud" when reader.TokenType == JsonTokenType.String:
                        audienceMatches = reader.ValueTextEquals(audience);
                        break;
                    case "aud" when reader.TokenType == JsonTokenType.StartArray:
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            audienceMatches |= reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(audience);
                        }

                        break;
                    case "exp":
                        exp = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var e) ? e : null;
                        break;
                    case "nbf":
                        nbf = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : null;
                        break;
                    case "iat":
                        iat = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var i) ? i : null;
                        break;
                    default:
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            claims.Add(new Claim(name, reader.GetString()!, ClaimValueTypes.String, issuer));
                        }
                        else if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                        {
                            claims.Add(new Claim(name, number.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64, issuer));
                        }
                        else
                        {
                            reader.Skip();
                        }

                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return Malformed;
            }

            if (!string.Equals(iss, issuer, StringComparison.Ordinal))
            {
                return JwtValidationResult.Fail("The token issuer is not accepted.");
            }

            if (!audienceMatches)
            {
                return JwtValidationResult.Fail("The token audience is not accepted.");
            }

            var seconds = now.ToUnixTimeSeconds();
            var skew = (long)clockSkew.TotalSeconds;
            if (exp is null || seconds - skew >= exp)
            {
                return JwtValidationResult.Fail("The token has expired.");
            }

            if (nbf is not null && seconds + skew < nbf)
            {
                return JwtValidationResult.Fail("The token is not valid yet.");
            }

            if (iat is null || iat > seconds + skew)
            {
                return JwtValidationResult.Fail("The token issue time is missing or in the future.");
            }

            if (!claims.Exists(c => c.Type == StoxJwtDefaults.Claims.Subject))
            {
                return JwtValidationResult.Fail("The token has no subject.");
            }

            var identity = new ClaimsIdentity(claims, StoxJwtDefaults.AuthenticationScheme, StoxJwtDefaults.Claims.Subject, StoxJwtDefaults.Claims.Role);
            return new JwtValidationResult(new ClaimsPrincipal(identity), null);
        }
        catch (JsonException)
        {
            return Malformed;
        }
        catch (InvalidOperationException)
        {
            return Malformed;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private readonly record struct Range3(int Start, int Length);
}
