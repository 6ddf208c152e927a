using System.Buffers.Binary;
using System.IO.Compression;
using NetVips;
using Stox.Imaging;
using Stox.Imaging.Vips;

namespace Stox.Tests.Imaging;

/// <summary>Builds test inputs in memory through libvips, so the committed corpus stays tiny.</summary>
internal static class TestImages
{
    public static readonly byte[] Red = [220, 40, 40];
    public static readonly byte[] Green = [40, 180, 60];
    public static readonly byte[] Blue = [40, 60, 200];
    public static readonly byte[] White = [240, 240, 240];

    public static string CorpusPath(string name) => Path.Combine(AppContext.BaseDirectory, "Imaging", "Corpus", name);

    public static Image Solid(int width, int height, byte[] colour)
    {
        var bands = colour.Length;
        var pixels = new byte[width * height * bands];
        for (var i = 0; i < width * height; i++)
        {
            colour.CopyTo(pixels, i * bands);
        }

        return FromPixels(pixels, width, height, bands);
    }

    /// <summary>An 8-bit image of packed pixels (libvips copies them): sRGB, with alpha for 4 bands.</summary>
    public static Image FromPixels(byte[] pixels, int width, int height, int bands)
    {
        using var memory = Image.NewFromMemory(pixels, width, height, bands, Enums.BandFormat.Uchar);
        using var copy = memory.Copy(interpretation: Enums.Interpretation.Srgb);
        return copy.CopyMemory();
    }

    /// <summary>Saves with a libvips saver by name; options as (name, value) pairs, enums as NetVips' enums.</summary>
    public static byte[] SaveAs(this Image image, string saver, params (string Name, object Value)[] options)
    {
        var vOptions = new VOption();
        foreach (var (name, value) in options)
        {
            vOptions.Add(name, value);
        }

        return image.Save(saver, vOptions);
    }

    /// <summary>Quadrants: red top-left, green top-right, blue bottom-left, white bottom-right.</summary>
    public static byte[] QuadrantPixels(int width, int height) => Pixels(width, height, (x, y) => Quadrant(x, y, width, height));

    public static byte[] Quadrant(int x, int y, int width, int height) =>
        (x < width / 2, y < height / 2) switch
        {
            (true, true) => Red,
            (false, true) => Green,
            (true, false) => Blue,
            _ => White,
        };

    public static byte[] Pixels(int width, int height, Func<int, int, byte[]> colour)
    {
        var first = colour(0, 0);
        var bands = first.Length;
        var pixels = new byte[width * height * bands];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                colour(x, y).CopyTo(pixels, ((y * width) + x) * bands);
            }
        }

        return pixels;
    }

    /// <summary>A photo-like gradient with some texture, so encoders behave as on photos.</summary>
    public static Image Photo(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        var rng = new Random(42);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var o = ((y * width) + x) * 3;
                var n = rng.Next(-12, 12);
                pixels[o] = Clamp((x * 255 / width) + n);
                pixels[o + 1] = Clamp((y * 255 / height) + n);
                pixels[o + 2] = Clamp(128 + (int)(60 * Math.Sin(x / 17.0) * Math.Cos(y / 23.0)) + n);
            }
        }

        return FromPixels(pixels, width, height, 3);
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    public static byte[] Jpeg(Image image, bool strip = true) => image.SaveAs("jpegsave_buffer", ("Q", 90), ("strip", strip));

    /// <summary>A progressive JPEG, with full-resolution chroma (4:4:4) or chroma halved both ways (4:2:0).</summary>
    public static byte[] ProgressiveJpeg(Image image, bool chromaSubsampled) =>
        image.SaveAs("jpegsave_buffer", ("Q", 85), ("strip", true), ("interlace", true),
            ("subsample_mode", chromaSubsampled ? Enums.ForeignSubsample.On : Enums.ForeignSubsample.Off));

    public static byte[] Png(Image image) => image.SaveAs("pngsave_buffer", ("compression", 1));

    public static byte[] Decode(byte[] encoded, out int width, out int height, out int bands)
    {
        var format = FormatSniffer.Sniff(encoded, out var detected) ?? throw new ArgumentException($"not an image: {detected}", nameof(encoded));
        using var image = Load(encoded, FormatNames.Of(format).VipsOperation);
        width = image.Width;
        height = image.Height;
        bands = image.Bands;
        return image.WriteToMemory<byte>();
    }

    public static Image Load(byte[] encoded, string loader) => ImageFields.Load(loader, encoded);

    public static byte[] PixelAt(byte[] pixels, int width, int bands, int x, int y) =>
        pixels.AsSpan(((y * width) + x) * bands, bands).ToArray();

    public static void AssertColour(byte[] expected, byte[] actual, int tolerance, string because = "")
    {
        for (var c = 0; c < 3; c++)
        {
            Assert.True(Math.Abs(expected[c] - actual[c]) <= tolerance,
                $"{because} expected ~({string.Join(",", expected[..3])}) but got ({string.Join(",", actual)})");
        }
    }

    /// <summary>Inserts a big-endian EXIF APP1 segment with an orientation tag (and a GPS IFD) after SOI.</summary>
    public static byte[] WithExif(byte[] jpeg, int orientation)
    {
        // TIFF header + IFD0 with Orientation and a GPSInfo pointer, then a GPS IFD with GPSLatitudeRef.
        var tiff = new byte[8 + 2 + (2 * 12) + 4 + 2 + 12 + 4];
        "MM\0*"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 2);
        WriteEntry(tiff.AsSpan(10), 0x0112, 3, 1, (uint)orientation << 16);
        var gpsOffset = (uint)(8 + 2 + (2 * 12) + 4);
        WriteEntry(tiff.AsSpan(22), 0x8825, 4, 1, gpsOffset);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(34), 0);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan((int)gpsOffset), 1);
        WriteEntry(tiff.AsSpan((int)gpsOffset + 2), 0x0001, 2, 2, 0x4E000000); // "N\0"
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    private static void WriteEntry(Span<byte> at, ushort tag, ushort type, uint count, uint value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(at, tag);
        BinaryPrimitives.WriteUInt16BigEndian(at[2..], type);
        BinaryPrimitives.WriteUInt32BigEndian(at[4..], count);
        BinaryPrimitives.WriteUInt32BigEndian(at[8..], value);
    }

    /// <summary>A valid PNG header claiming width x height, with one tiny compressed row: a decompression bomb.</summary>
    public static byte[] PngBomb(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        Chunk(ms, "IHDR", ihdr);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[64 * 1024];
            for (var i = 0; i < 64; i++)
            {
                z.Write(zeros);
            }
        }

        Chunk(ms, "IDAT", raw.ToArray());
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)data.Length);
        s.Write(len);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        s.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>Frames stacked vertically with page-height set, saved as an animated GIF or WebP.</summary>
    public static byte[] Animated(string saver, int width, int height, params byte[][] colours)
    {
        var pixels = new byte[width * height * colours.Length * 3];
        for (var f = 0; f < colours.Length; f++)
        {
            for (var i = 0; i < width * height; i++)
            {
                colours[f].CopyTo(pixels, ((f * width * height) + i) * 3);
            }
        }

        using var strip = FromPixels(pixels, width, height * colours.Length, 3);
        using var paged = strip.Mutate(m => m.Set(GValue.GIntType, "page-height", height));
        return paged.Save(saver);
    }
}
