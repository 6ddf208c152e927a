using System.Security.Cryptography;
using Stox.Auth.Passwords;

namespace Stox.Tests.Auth;

/// <summary>Our PBKDF2-HMAC-SHA256 against the RFC 7914 test vectors and against .NET's own PBKDF2.</summary>
public sealed class Pbkdf2Sha256Tests
{
    [Fact]
    public void Runs_on_libcrypto_compression()
    {
        // Stox runs on Linux, where .NET itself needs libcrypto: a fallback here is a regression (three times slower).
        Assert.True(Pbkdf2Sha256.IsAccelerated, "fell back to .NET's PBKDF2: libcrypto's SHA256_Transform is missing or failed the self-test");
    }

    [Theory]
    // RFC 7914, section 11.
    [InlineData("passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")]
    [InlineData("Password", "NaCl", 80000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d")]
    public void Matches_the_rfc_7914_vectors(string password, string salt, int iterations, string expectedHex)
    {
        var key = Pbkdf2Sha256.DeriveKey(System.Text.Encoding.ASCII.GetBytes(password), System.Text.Encoding.ASCII.GetBytes(salt), iterations, 64);

        Assert.Equal(expectedHex, Convert.ToHexStringLower(key));
    }

    [Theory]
    [InlineData(0, 0, 1, 32)]
    [InlineData(10, 16, 2, 32)]
    [InlineData(64, 16, 1000, 32)]
    [InlineData(65, 16, 17, 31)] // a key longer than a block is hashed first
    [InlineData(512, 16, 3, 33)] // 128 four-byte UTF-8 characters, our longest password
    [InlineData(20, 200, 5, 100)] // a long salt, several output blocks and a partial last one
    public void Equals_dotnets_pbkdf2_for_any_lengths(int passwordBytes, int saltBytes, int iterations, int length)
    {
        var password = RandomNumberGenerator.GetBytes(passwordBytes);
        var salt = RandomNumberGenerator.GetBytes(saltBytes);

        var ours = Pbkdf2Sha256.DeriveKey(password, salt, iterations, length);

        Assert.Equal(Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, length), ours);
    }

    [Fact]
    public void Refuses_zero_iterations_or_length()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pbkdf2Sha256.DeriveKey([1], [2], 0, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pbkdf2Sha256.DeriveKey([1], [2], 1, 0));
    }
}
