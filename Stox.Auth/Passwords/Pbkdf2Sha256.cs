using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Stox.Auth.Passwords;

/// <summary>
/// PBKDF2-HMAC-SHA256 (RFC 8018), the same function as <see cref="Rfc2898DeriveBytes.Pbkdf2(byte[], byte[], int, HashAlgorithmName, int)"/>
/// at about a third of its cost. OpenSSL 3's PBKDF2, which .NET calls, copies an HMAC context (two allocations)
/// for every one of the 600,000 iterations; that overhead is two thirds of the time. Here the HMAC key's inner and
/// outer states are computed once and each iteration is exactly two calls of libcrypto's SHA-256 compression
/// (<c>SHA256_Transform</c>, SHA-NI where the CPU has it), so the hash primitive is still OpenSSL's: only the
/// RFC 2104/8018 composition around it is ours. The first use checks it against .NET's PBKDF2 and falls back to
/// .NET's when the check fails or libcrypto has no such export.
/// </summary>
public static unsafe class Pbkdf2Sha256
{
    private const int BlockBytes = 64;
    private const int DigestBytes = 32;

    // SHA-256's initial state (FIPS 180-4, 5.3.3).
    private static ReadOnlySpan<uint> InitialState =>
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    private static readonly delegate* unmanaged[SuppressGCTransition]<uint*, byte*, void> Compress = LoadCompress();

    /// <summary>Whether derivation runs on libcrypto's compression function (false: .NET's PBKDF2, same result, slower).</summary>
    public static bool IsAccelerated { get; } = Compress != null && SelfTestPasses();

    public static byte[] DeriveKey(byte[] password, byte[] salt, int iterations, int length)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return IsAccelerated
            ? DeriveWithCompress(password, salt, iterations, length)
            : Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, length);
    }

    // Fully optimised from the first call: a service hashes too rarely for tiered compilation to reach tier 1.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static byte[] DeriveWithCompress(byte[] password, byte[] salt, int iterations, int length)
    {
        // HMAC (RFC 2104): keys longer than a block are hashed first; the padded key XOR ipad/opad is the first
        // block of every inner/outer hash, so its compressed state is computed once.
        var key = password.Length > BlockBytes ? SHA256.HashData(password) : password;
        var innerState = stackalloc uint[8];
        var outerState = stackalloc uint[8];
        var pad = stackalloc byte[BlockBytes];
        HmacKeyState(key, 0x36, pad, innerState);
        HmacKeyState(key, 0x5c, pad, outerState);

        // The second block of both hashes: a 32-byte digest, then the padding of a 96-byte message (0x80, zeros,
        // the bit length 768 big-endian). Words are kept in memory in big-endian byte order, as SHA-256 reads them.
        var block = stackalloc uint[16];
        new Span<uint>(block, 16).Clear();
        ((byte*)block)[DigestBytes] = 0x80;
        ((byte*)block)[62] = (768 >> 8) & 0xff;
        ((byte*)block)[63] = 768 & 0xff;

        var state = stackalloc uint[8];
        var sum = stackalloc uint[8];
        var result = new byte[length];
        var first = new byte[salt.Length + 4];
        salt.CopyTo(first, 0);
        Span<byte> u1 = stackalloc byte[DigestBytes];
        Span<byte> t = stackalloc byte[DigestBytes];
        for (int blockIndex = 1, offset = 0; offset < length; blockIndex++, offset += DigestBytes)
        {
            // U1 = HMAC(P, S || INT(i)): the salt has any length, so this one goes through .NET's HMAC.
            BinaryPrimitives.WriteInt32BigEndian(first.AsSpan(salt.Length), blockIndex);
            HMACSHA256.HashData(password, first, u1);
            u1.CopyTo(new Span<byte>(block, DigestBytes));
            for (var k = 0; k < 8; k++)
            {
                sum[k] = BinaryPrimitives.ReadUInt32BigEndian(u1[(4 * k)..]);
            }

            // U(j) = HMAC(P, U(j-1)); the result is U1 ^ U2 ^ ... ^ U(c).
            for (var iteration = 1; iteration < iterations; iteration++)
            {
                HashBlock(innerState, block, state);
                ToBigEndianWords(state, block);
                HashBlock(outerState, block, state);
                ToBigEndianWords(state, block);
                for (var k = 0; k < 8; k++)
                {
                    sum[k] ^= state[k];
                }
            }

            var take = Math.Min(DigestBytes, length - offset);
            for (var k = 0; k < 8; k++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(t[(4 * k)..], sum[k]);
            }

            t[..take].CopyTo(result.AsSpan(offset));
        }

        return result;
    }

    private static void HmacKeyState(byte[] key, byte padByte, byte* pad, uint* state)
    {
        for (var i = 0; i < BlockBytes; i++)
        {
            pad[i] = (byte)((i < key.Length ? key[i] : 0) ^ padByte);
        }

        InitialState.CopyTo(new Span<uint>(state, 8));
        Compress(state, pad);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HashBlock(uint* from, uint* block, uint* state)
    {
        // A plain loop: Span.CopyTo here made the whole derivation three times slower (measured).
        for (var k = 0; k < 8; k++)
        {
            state[k] = from[k];
        }

        Compress(state, (byte*)block);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ToBigEndianWords(uint* state, uint* block)
    {
        for (var k = 0; k < 8; k++)
        {
            block[k] = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(state[k]) : state[k];
        }
    }

    private static delegate* unmanaged[SuppressGCTransition]<uint*, byte*, void> LoadCompress()
    {
        // SHA256_Transform(SHA256_CTX*, block) updates only the context's first eight words (the chaining state);
        // it is deprecated in OpenSSL 3 but exported by both supported major versions.
        foreach (var name in (string[])["libcrypto.so.3", "libcrypto.so.1.1"])
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "SHA256_Transform", out var export))
            {
                return (delegate* unmanaged[SuppressGCTransition]<uint*, byte*, void>)export;
            }
        }

        return null;
    }

    private static bool SelfTestPasses()
    {
        // Short keys, a key longer than a block, several output blocks and a partial last one.
        (byte[] Password, byte[] Salt, int Iterations, int Length)[] cases =
        [
            ("passwd"u8.ToArray(), "salt"u8.ToArray(), 1, 64),
            ("Password"u8.ToArray(), "NaCl"u8.ToArray(), 3, 32),
            (new byte[100], new byte[16], 2, 45),
            ([], [], 5, 1),
        ];
        foreach (var (password, salt, iterations, length) in cases)
        {
            var expected = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, length);
            if (!CryptographicOperations.FixedTimeEquals(DeriveWithCompress(password, salt, iterations, length), expected))
            {
                return false;
            }
        }

        return true;
    }
}
