using System.Buffers.Binary;
using System.Text;

namespace Stox.Imaging;

/// <summary>Finds the real format from the first bytes, whatever the file was called.</summary>
public static class FormatSniffer
{
    /// <summary>The accepted format, or null with a short name of what the bytes look like ("PDF", "SVG", "unknown").</summary>
    public static ImageFormat? Sniff(ReadOnlySpan<byte> data, out string detected) => Detect(data, out detected);

    /// <summary>True when the file ends before its format's end marker (an interrupted upload).</summary>
    public static bool LooksTruncated(ImageFormat format, ReadOnlySpan<byte> d)
    {
        switch (format)
        {
            case ImageFormat.Jpeg:
                // EOI (FF D9), allowing for trailing padding some encoders leave.
                var tail = d[Math.Max(0, d.Length - 64)..];
                return tail.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) < 0;
            case ImageFormat.Png:
                return d.Length < 12 || d[^12..].IndexOf("IEND"u8) < 0;
            case ImageFormat.Gif:
                return d.Length == 0 || d[^1] != 0x3B;
            case ImageFormat.WebP:
                return d.Length < 8 || BinaryPrimitives.ReadUInt32LittleEndian(d[4..]) + 8L > d.Length;
            default:
                return false;
        }
    }

    private static ImageFormat? Detect(ReadOnlySpan<byte> d, out string name)
    {
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        {
            return Found(ImageFormat.Jpeg, out name);
        }

        if (d.StartsWith((ReadOnlySpan<byte>)[(byte)0x89, (byte)'P', (byte)'N', (byte)'G', (byte)0x0D, (byte)0x0A, (byte)0x1A, (byte)0x0A]))
        {
            return Found(ImageFormat.Png, out name);
        }

        if (d.StartsWith("GIF87a"u8) || d.StartsWith("GIF89a"u8))
        {
            return Found(ImageFormat.Gif, out name);
        }

        if (d.Length >= 12 && d.StartsWith("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return Found(ImageFormat.WebP, out name);
        }

        if (d.StartsWith("II*\0"u8) || d.StartsWith("MM\0*"u8))
        {
            return Found(ImageFormat.Tiff, out name);
        }

        if (d.Length >= 12 && d.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            var brand = Encoding.ASCII.GetString(d.Slice(8, 4));
            switch (brand)
            {
                case "avif" or "avis":
                    return Found(ImageFormat.Avif, out name);
                case "heic" or "heix" or "hevc" or "hevx" or "heim" or "heis" or "mif1" or "msf1":
                    return Found(ImageFormat.Heic, out name);
                default:
                    name = brand.Trim() is "qt" ? "QuickTime" : brand.StartsWith("3g", StringComparison.Ordinal) ? "3GP" : "MP4/ISO media (" + brand.Trim() + ")";
                    return null;
            }
        }

        name = Other(d);
        return null;
    }

    private static ImageFormat Found(ImageFormat format, out string name)
    {
        name = FormatNames.Of(format).Name;
        return format;
    }

    private static string Other(ReadOnlySpan<byte> d)
    {
        if (d.IsEmpty)
        {
            return "empty";
        }

        if (d.StartsWith("%PDF"u8))
        {
            return "PDF";
        }

        if (d.StartsWith("BM"u8))
        {
            return "BMP";
        }

        if (d.StartsWith("8BPS"u8))
        {
            return "PSD";
        }

        if (d.StartsWith((ReadOnlySpan<byte>)[(byte)0xFF, (byte)0x0A]) || d.StartsWith((ReadOnlySpan<byte>)[(byte)0, (byte)0, (byte)0, (byte)0x0C, (byte)'J', (byte)'X', (byte)'L', (byte)' ']))
        {
            return "JPEG XL";
        }

        if (d.StartsWith((ReadOnlySpan<byte>)[(byte)0, (byte)0, (byte)0, (byte)0x0C, (byte)'j', (byte)'P', (byte)' ', (byte)' ']) || d.StartsWith((ReadOnlySpan<byte>)[(byte)0xFF, (byte)0x4F, (byte)0xFF, (byte)0x51]))
        {
            return "JPEG 2000";
        }

        if (d.StartsWith((ReadOnlySpan<byte>)[(byte)0, (byte)0, (byte)1, (byte)0]))
        {
            return "ICO";
        }

        if (d.StartsWith("PK\u0003\u0004"u8))
        {
            return "ZIP";
        }

        if (d.StartsWith((ReadOnlySpan<byte>)[(byte)0x1F, (byte)0x8B]))
        {
            return "GZIP";
        }

        if (d.StartsWith("%!PS"u8))
        {
            return "PostScript";
        }

        if (LooksLikeText(d, out var text))
        {
            var head = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (head.Contains("<svg", StringComparison.OrdinalIgnoreCase))
            {
                return "SVG";
            }

            if (head.StartsWith('<'))
            {
                return head.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) ? "XML" : "HTML";
            }

            return "text";
        }

        return "unknown";
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> d, out string text)
    {
        var head = d[..Math.Min(d.Length, 1024)];
        foreach (var b in head)
        {
            if (b < 0x09 || (b > 0x0D && b < 0x20 && b != 0x1B))
            {
                text = string.Empty;
                return false;
            }
        }

        text = Encoding.UTF8.GetString(head);
        return true;
    }
}
