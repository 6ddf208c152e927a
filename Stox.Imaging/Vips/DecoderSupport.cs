using NetVips;

namespace Stox.Imaging.Vips;

/// <summary>
/// Which accepted formats the libvips build in this process really decodes, found once by decoding a 16x16 sample
/// of each (embedded from <c>Vips/Samples</c>). A loader that exists may still lack its codec: NetVips.Native's
/// libheif reads a HEIC header but has no HEVC decoder for its pixels, so only a decode tells.
/// </summary>
internal static class DecoderSupport
{
    private static readonly Lazy<IReadOnlySet<ImageFormat>> Formats = new(Find);

    public static IReadOnlySet<ImageFormat> Decodable => Formats.Value;

    /// <summary>True when libvips decodes every pixel of <paramref name="sample"/> as <paramref name="format"/>.</summary>
    public static bool Decodes(ImageFormat format, byte[] sample)
    {
        try
        {
            using var image = ImageFields.Load(FormatNames.Of(format).VipsOperation, sample,
                new VOption { { "fail_on", Enums.FailOn.Error } });
            _ = image.Avg();
            return true;
        }
        catch (VipsException)
        {
            return false;
        }
    }

    private static HashSet<ImageFormat> Find() =>
        [.. FormatNames.Accepted.Where(f => Decodes(f, Sample(f)))];

    private static byte[] Sample(ImageFormat format)
    {
        var name = $"Stox.Imaging.Vips.Samples.sample.{FormatNames.Of(format).Extension}";
        using var stream = typeof(DecoderSupport).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The decoder sample {name} is not embedded.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
