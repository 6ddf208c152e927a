using System.Collections.Concurrent;
using NetVips;

namespace Stox.Imaging.Vips;

/// <summary>
/// Whether the libvips build in this process really decodes a format, found the first time it is asked by decoding
/// a 16x16 sample (embedded from <c>Vips/Samples</c>). A loader that exists may still lack its codec: NetVips.Native's
/// libheif reads a HEIC header but has no HEVC decoder for its pixels, so only a decode tells. Asked lazily, so a
/// process that never meets a HEIC never loads libheif's decoders (about 6 MB of resident memory).
/// </summary>
internal static class DecoderSupport
{
    private static readonly ConcurrentDictionary<ImageFormat, Lazy<bool>> Answers = new();

    public static bool CanDecode(ImageFormat format) =>
        Answers.GetOrAdd(format, static f => new Lazy<bool>(() => Decodes(f, Sample(f)))).Value;

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
