using System.Buffers.Binary;

namespace Stox.Imaging;

/// <summary>
/// Removes metadata chunks (EXIF, XMP, ICCP) from an encoded WebP. libvips 8.14's webpsave writes an EXIF
/// chunk (orientation, resolution, size) even with <c>strip</c>; this drops it and clears the VP8X flags.
/// </summary>
internal static class WebpContainer
{
    private const byte IccFlag = 0x20;
    private const byte ExifFlag = 0x08;
    private const byte XmpFlag = 0x04;

    public static byte[] StripMetadata(byte[] webp)
    {
        if (webp.Length < 12 + 8 || !webp.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !webp.AsSpan(8, 4).SequenceEqual("WEBP"u8))
        {
            return webp;
        }

        var chunks = new List<(int Offset, int Length)>();
        var dropped = false;
        var at = 12;
        while (at + 8 <= webp.Length)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(webp.AsSpan(at + 4));
            var total = 8 + (long)size + (size & 1);
            if (at + total > webp.Length)
            {
                return webp; // not what we expect: leave it alone
            }

            var fourcc = webp.AsSpan(at, 4);
            if (fourcc.SequenceEqual("EXIF"u8) || fourcc.SequenceEqual("XMP "u8) || fourcc.SequenceEqual("ICCP"u8))
            {
                dropped = true;
            }
            else
            {
                chunks.Add((at, (int)total));
            }

            at += (int)total;
        }

        if (!dropped)
        {
            return webp;
        }

        var length = 12 + chunks.Sum(c => c.Length);
        var output = new byte[length];
        webp.AsSpan(0, 12).CopyTo(output);
        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4), (uint)(length - 8));
        var to = 12;
        foreach (var (offset, len) in chunks)
        {
            webp.AsSpan(offset, len).CopyTo(output.AsSpan(to));
            if (output.AsSpan(to, 4).SequenceEqual("VP8X"u8))
            {
                output[to + 8] &= unchecked((byte)~(IccFlag | ExifFlag | XmpFlag));
            }

            to += len;
        }

        return output;
    }
}
