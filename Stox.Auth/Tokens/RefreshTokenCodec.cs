using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Stox.Auth.Tokens;

/// <summary>Opaque refresh tokens: 256 random bits, base64url; the database keeps only their SHA-256.</summary>
public static class RefreshTokenCodec
{
    public const int MaxLength = 128;

    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
