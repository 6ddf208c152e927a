using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Stox.Auth.Data;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Auth.Tokens;

/// <summary>Signs access tokens: compact JWS, RS256, header {alg, typ: at+jwt, kid}.</summary>
public sealed class AccessTokenIssuer(SigningKeyStore keys, IOptions<AuthOptions> options, TimeProvider timeProvider)
{
    /// <summary>The <c>sid</c> claim: the session (refresh-token family) the token was issued for.</summary>
    public const string SessionClaim = "sid";

    public TimeSpan Lifetime => options.Value.AccessTokenLifetime;

    public string Issue(User user, Guid sessionId)
    {
        ArgumentNullException.ThrowIfNull(user);
        var (kid, key) = keys.Current;
        var now = timeProvider.GetUtcNow();
        var o = options.Value;

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", StoxJwtDefaults.Algorithm);
            writer.WriteString("typ", StoxJwtDefaults.TokenType);
            writer.WriteString("kid", kid);
            writer.WriteEndObject();
        }

        var header = Base64Url.EncodeToString(buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", o.Issuer);
            writer.WriteString("aud", o.Audience);
            writer.WriteString(StoxJwtDefaults.Claims.Subject, user.Id.ToString());
            writer.WriteString(StoxJwtDefaults.Claims.Email, user.Email);
            writer.WriteString(StoxJwtDefaults.Claims.Role, user.Role);
            writer.WriteString(StoxJwtDefaults.Claims.Tier, user.Tier);
            writer.WriteNumber(StoxJwtDefaults.Claims.UploadQuota, o.MonthlyUploadQuotas.GetValueOrDefault(user.Tier));
            writer.WriteString(SessionClaim, sessionId.ToString());
            writer.WriteString(StoxJwtDefaults.Claims.TokenId, Guid.NewGuid().ToString("N"));
            writer.WriteNumber(StoxJwtDefaults.Claims.IssuedAt, now.ToUnixTimeSeconds());
            writer.WriteNumber("nbf", now.ToUnixTimeSeconds());
            writer.WriteNumber(StoxJwtDefaults.Claims.Expires, (now + o.AccessTokenLifetime).ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        var signingInput = $"{header}.{Base64Url.EncodeToString(buffer.WrittenSpan)}";
        var signature = key.SignData(System.Text.Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }
}
