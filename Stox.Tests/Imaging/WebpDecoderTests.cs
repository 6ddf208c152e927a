using System.Runtime.InteropServices;
using Stox.Imaging;
using NetVips;
using Stox.Imaging.Native;
using Stox.Imaging.Vips;

namespace Stox.Tests.Imaging;

/// <summary>The direct libwebp decoder: libvips' pixels without libvips' buffers, and only for what it can take.</summary>
public sealed class WebpDecoderTests
{
    private static readonly VipsImageEngine Engine = new();

    private static readonly ImageJobSpec OriginalOnly = new() { Presets = [ImagePreset.Original], Placeholder = false };

    [Fact]
    public void The_features_struct_has_the_size_of_decode_h() =>
        Assert.Equal(40, Marshal.SizeOf<LibWebP.WebPBitstreamFeatures>());

    [Theory]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void Decodes_exactly_the_pixels_libvips_webpload_gives(int bands, bool lossless)
    {
        using var photo = TestImages.Photo(320, 240);
        using var withBands = bands == 4 ? photo.BandjoinConst([180.0]) : photo.Copy();
        var webp = withBands.SaveAs("webpsave_buffer", ("Q", 80), ("lossless", lossless), ("strip", true));

        var features = WebpDecoder.Probe(webp);
        Assert.Equal(new WebpDecoder.Features(320, 240, bands == 4, lossless), features);
        using var ours = WebpDecoder.Decode(webp, features!.Value);
        using var theirs = TestImages.Load(webp, "webpload_buffer");

        Assert.Equal((theirs.Width, theirs.Height, theirs.Bands), (ours.Width, ours.Height, ours.Bands));
        Assert.Equal(theirs.WriteToMemory<byte>(), ours.Image.WriteToMemory<byte>());
        Assert.Equal(Enums.Interpretation.Srgb, ours.Image.Interpretation);
    }

    [Fact]
    public void Leaves_animations_and_icc_profiles_to_libvips()
    {
        var animated = TestImages.Animated("webpsave_buffer", 48, 32, TestImages.Red, TestImages.Green);
        using var srgb = TestImages.Solid(32, 32, TestImages.Red);
        using var p3 = srgb.IccTransform("p3", inputProfile: "srgb");
        var tagged = p3.SaveAs("webpsave_buffer", ("strip", false));

        Assert.Null(WebpDecoder.Probe(animated));
        Assert.Null(WebpDecoder.Probe(tagged));
        Assert.NotNull(WebpDecoder.Probe(srgb.SaveAs("webpsave_buffer")));
    }

    [Fact]
    public async Task Takes_a_webp_with_exif_and_the_engine_applies_its_orientation()
    {
        using var photo = TestImages.Photo(64, 48);
        using var rotated = TestImages.Load(TestImages.WithExif(TestImages.Jpeg(photo), orientation: 6), "jpegload_buffer");
        var webp = rotated.SaveAs("webpsave_buffer", ("strip", false)); // keeps the EXIF, orientation and all
        Assert.NotNull(WebpDecoder.Probe(webp));

        var result = await Engine.ProcessAsync(webp, OriginalOnly with { Formats = OutputFormats.Jpeg });

        Assert.Equal(6, result.Original.Orientation);
        Assert.Equal((48, 64), (result.Variants[0].Width, result.Variants[0].Height));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_truncated_webp_is_rejected_as_truncated(bool lossless)
    {
        using var photo = TestImages.Photo(400, 300);
        var webp = photo.SaveAs("webpsave_buffer", ("lossless", lossless), ("strip", true));

        foreach (var length in new[] { webp.Length / 2, webp.Length * 3 / 4, webp.Length - 16 })
        {
            var e = await Assert.ThrowsAsync<ImageRejectedException>(() => Engine.ProcessAsync(webp[..length], ImageJobSpec.Default));
            Assert.Equal(ImageRejectionReason.Truncated, e.Reason);
            Assert.StartsWith("The WebP file is truncated", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_webp_whose_bitstream_is_damaged_is_rejected_as_corrupt()
    {
        using var photo = TestImages.Photo(400, 300);
        var webp = photo.SaveAs("webpsave_buffer", ("lossless", true), ("strip", true));
        for (var i = webp.Length / 3; i < webp.Length; i += 5)
        {
            webp[i] ^= 0x5A;
        }

        var e = await Assert.ThrowsAsync<ImageRejectedException>(() => Engine.ProcessAsync(webp, ImageJobSpec.Default));
        Assert.Equal(ImageRejectionReason.Corrupt, e.Reason);
        Assert.StartsWith("The WebP file is damaged", e.Message, StringComparison.Ordinal);
    }
}
