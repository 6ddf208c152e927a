using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Stox.Jobs.Credits;

public enum StripeSignatureCheck
{
    Valid,
    Missing,
    Malformed,
    Mismatch,
    OutsideTolerance,
}

/// <summary>
/// Stripe's webhook signature: <c>Stripe-Signature: t={unix seconds},v1={hex HMAC-SHA256}</c>, where the HMAC of
/// <c>{t}.{raw body}</c> is keyed with the endpoint's signing secret. Several <c>v1</c> entries may be present
/// while a secret is rolled; one match is enough. A timestamp outside the tolerance is a replay.
/// </summary>
public static class StripeSignature
{
    public const string HeaderName = "Stripe-Signature";

    public static StripeSignatureCheck Check(string? header, ReadOnlySpan<byte> payload, string secret, TimeSpan tolerance, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return StripeSignatureCheck.Missing;
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var item in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return StripeSignatureCheck.Malformed;
            }

            var (key, value) = (item[..equals], item[(equals + 1)..]);
            if (key == "t")
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                {
                    return StripeSignatureCheck.Malformed;
                }

                timestamp = t;
            }
            else if (key == "v1")
            {
                try
                {
                    signatures.Add(Convert.FromHexString(value));
                }
                catch (FormatException)
                {
                    return StripeSignatureCheck.Malformed;
                }
            }
        }

        if (timestamp is not { } seconds || signatures.Count == 0)
        {
            return StripeSignatureCheck.Malformed;
        }

        var expected = Compute(seconds, payload, secret);
        if (!signatures.Any(s => CryptographicOperations.FixedTimeEquals(s, expected)))
        {
            return StripeSignatureCheck.Mismatch;
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        return age.Duration() > tolerance ? StripeSignatureCheck.OutsideTolerance : StripeSignatureCheck.Valid;
    }

    /// <summary>The <c>v1</c> signature of a payload signed at <paramref name="timestamp"/>.</summary>
    public static byte[] Compute(long timestamp, ReadOnlySpan<byte> payload, string secret)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{timestamp}."));
        var signed = new byte[prefix.Length + payload.Length];
        prefix.CopyTo(signed, 0);
        payload.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
    }
}
