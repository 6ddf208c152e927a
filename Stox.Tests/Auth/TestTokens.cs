using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stox.Tests.Auth;

/// <summary>Hand-made JWTs for the rejection tests.</summary>
public static class TestTokens
{
    public static string Sign(object header, object payload, RSA? key)
    {
        var input = $"{Encode(header)}.{Encode(payload)}";
        var signature = key is null ? "" : Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return $"{input}.{signature}";
    }

    public static Dictionary<string, object> Claims(Guid sub, string aud = "stox-api", string iss = "stox-auth", DateTimeOffset? exp = null, DateTimeOffset? iat = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new()
        {
            ["iss"] = iss,
            ["aud"] = aud,
            ["sub"] = sub.ToString(),
            ["email"] = "x@stox.test",
            ["role"] = "user",
            ["tier"] = "free",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = (iat ?? now).ToUnixTimeSeconds(),
            ["exp"] = (exp ?? now.AddMinutes(15)).ToUnixTimeSeconds(),
        };
    }

    public static JsonElement ReadPart(string token, int index) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[index])).RootElement.Clone();

    private static string Encode(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));
}
