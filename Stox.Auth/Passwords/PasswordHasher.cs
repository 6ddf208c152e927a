using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Stox.Auth.Passwords;

/// <summary>
/// PBKDF2-HMAC-SHA256 with a 128-bit random salt and a 256-bit output. The hash carries its own parameters
/// (<c>pbkdf2-sha256$iterations$salt$hash</c>, base64), so the cost can be raised later: a hash below the
/// configured cost is re-hashed at the next successful login.
/// </summary>
public sealed class PasswordHasher(IOptions<AuthOptions> options)
{
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly Lazy<string> _dummyHash = new(() => Hash("stox-dummy-password-for-timing", options.Value.PasswordIterations));

    public int Iterations => options.Value.PasswordIterations;

    public string Hash(string password) => Hash(password, Iterations);

    public static string Hash(string password, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Pbkdf2Sha256.DeriveKey(Encoding.UTF8.GetBytes(password), salt, iterations, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>Checks <paramref name="password"/> against <paramref name="encodedHash"/> in constant time.</summary>
    public PasswordCheck Verify(string encodedHash, string password)
    {
        ArgumentNullException.ThrowIfNull(encodedHash);
        ArgumentNullException.ThrowIfNull(password);
        var parts = encodedHash.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return PasswordCheck.Failed;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return PasswordCheck.Failed;
        }

        var actual = Pbkdf2Sha256.DeriveKey(Encoding.UTF8.GetBytes(password), salt, iterations, expected.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordCheck.Failed;
        }

        return iterations < Iterations ? PasswordCheck.SucceededRehashNeeded : PasswordCheck.Succeeded;
    }

    /// <summary>Spends the same time as a real check, for an account that does not exist (no enumeration by timing).</summary>
    public void VerifyDummy(string password) => Verify(_dummyHash.Value, password);
}

public enum PasswordCheck
{
    Failed,
    Succeeded,
    SucceededRehashNeeded,
}
