using Stox.Imaging;
using Stox.Imaging.Vips;

namespace Stox.Tests.Imaging;

/// <summary>Formats are accepted only if this libvips build decodes their pixels, not just their headers.</summary>
public sealed class DecoderSupportTests
{
    private static readonly IReadOnlySet<ImageFormat> AllButHeic = FormatNames.Accepted.Where(f => f != ImageFormat.Heic).ToHashSet();

    [Fact]
    public void Debians_libvips_decodes_every_accepted_format_heic_included()
    {
        var engine = new VipsImageEngine();
        Assert.All(FormatNames.Accepted, f => Assert.True(engine.CanDecode(f), $"{f} is not decodable"));
    }

    [Fact]
    public async Task A_heic_whose_header_reads_but_whose_pixels_do_not_is_not_decodable()
    {
        // What a build without an HEVC decoder does (NetVips.Native's): the header reads, the pixels fail.
        var heic = await File.ReadAllBytesAsync(TestImages.CorpusPath("photo.heic"));
        var damaged = heic.ToArray();
        var mdat = damaged.AsSpan().IndexOf("mdat"u8);
        damaged.AsSpan((mdat + 4)..).Clear(); // the coded pictures, gone; the boxes that describe them, kept

        _ = new VipsImageEngine().Probe(damaged);
        Assert.True(DecoderSupport.Decodes(ImageFormat.Heic, heic));
        Assert.False(DecoderSupport.Decodes(ImageFormat.Heic, damaged));
    }

    [Fact]
    public async Task A_format_the_build_cannot_decode_is_refused_before_any_decoding_with_a_clear_error()
    {
        var engine = new VipsImageEngine(new ImagingOptions(), AllButHeic);
        var heic = await File.ReadAllBytesAsync(TestImages.CorpusPath("photo.heic"));

        Assert.False(engine.CanDecode(ImageFormat.Heic));
        var probed = Assert.Throws<ImageRejectedException>(() => engine.Probe(heic));
        var processed = await Assert.ThrowsAsync<ImageRejectedException>(() => engine.ProcessAsync(heic, ImageJobSpec.Default));

        foreach (var e in new[] { probed, processed })
        {
            Assert.Equal(ImageRejectionReason.UnsupportedFormat, e.Reason);
            Assert.Equal("HEIC", e.DetectedType);
            Assert.StartsWith("HEIC images cannot be decoded here", e.Message, StringComparison.Ordinal);
            Assert.EndsWith("Supported: JPEG, PNG, WebP, GIF, AVIF, TIFF.", e.Message, StringComparison.Ordinal);
        }
    }
}
