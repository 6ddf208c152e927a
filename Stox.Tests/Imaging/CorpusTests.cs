using Stox.Imaging;
using NetVips;

namespace Stox.Tests.Imaging;

/// <summary>Inputs the engine must get right: orientation, colour spaces, bit depths, alpha, frames, shapes.</summary>
public abstract class CorpusTests(IImageEngine engine)
{
    private IImageEngine Engine { get; } = engine;
    private static readonly ImageJobSpec OriginalOnly = new() { Presets = [ImagePreset.Original], Placeholder = false };

    /// <summary>Where a displayed pixel (x, y) lives in the stored image for each EXIF orientation.</summary>
    private static (int X, int Y) Stored(int o, int x, int y, int w, int h) => o switch
    {
        1 => (x, y),
        2 => (w - 1 - x, y),
        3 => (w - 1 - x, h - 1 - y),
        4 => (x, h - 1 - y),
        5 => (y, x),
        6 => (y, w - 1 - x),
        7 => (h - 1 - y, w - 1 - x),
        _ => (h - 1 - y, x),
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Every_exif_orientation_is_applied(int orientation)
    {
        const int w = 64, h = 32;
        var display = TestImages.QuadrantPixels(w, h);
        var (sw, sh) = orientation >= 5 ? (h, w) : (w, h);
        var stored = new byte[w * h * 3];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var (sx, sy) = Stored(orientation, x, y, w, h);
                display.AsSpan(((y * w) + x) * 3, 3).CopyTo(stored.AsSpan(((sy * sw) + sx) * 3));
            }
        }

        using var image = TestImages.FromPixels(stored, sw, sh, 3);
        var input = TestImages.WithExif(TestImages.Jpeg(image), orientation);
        Assert.Equal(orientation, Engine.Probe(input).Orientation);

        var result = await Engine.ProcessAsync(input, OriginalOnly with { Formats = OutputFormats.WebP });

        var v = result.Variants.Single();
        Assert.Equal((w, h), (v.Width, v.Height));
        var pixels = TestImages.Decode(v.Data, out var dw, out _, out var bands);
        TestImages.AssertColour(TestImages.Red, TestImages.PixelAt(pixels, dw, bands, 8, 4), 30, "top-left");
        TestImages.AssertColour(TestImages.Green, TestImages.PixelAt(pixels, dw, bands, 56, 4), 30, "top-right");
        TestImages.AssertColour(TestImages.Blue, TestImages.PixelAt(pixels, dw, bands, 8, 28), 30, "bottom-left");
        TestImages.AssertColour(TestImages.White, TestImages.PixelAt(pixels, dw, bands, 56, 28), 30, "bottom-right");
    }

    [Theory]
    [InlineData("p3", "jpegsave_buffer")]
    [InlineData("cmyk", "jpegsave_buffer")]
    [InlineData("p3", "webpsave_buffer")] // a WebP with an ICC profile goes through libvips' loader, not WebpDecoder
    public async Task Embedded_profiles_are_converted_to_srgb(string profile, string saver)
    {
        using var srgb = TestImages.Solid(32, 32, TestImages.Red);
        using var tagged = srgb.IccTransform(profile, inputProfile: "srgb", intent: Enums.Intent.Relative);
        var input = tagged.SaveAs(saver, ("Q", 95));
        var raw = TestImages.Decode(input, out _, out _, out var rawBands);
        Assert.Equal(profile == "cmyk" ? 4 : 3, rawBands);
        if (profile == "p3")
        {
            Assert.True(Math.Abs(raw[0] - TestImages.Red[0]) + Math.Abs(raw[1] - TestImages.Red[1]) > 15,
                "precondition: the P3 pixel values differ from the sRGB ones");
        }

        var result = await Engine.ProcessAsync(input, OriginalOnly with { Formats = OutputFormats.Jpeg });

        var pixels = TestImages.Decode(result.Variants[0].Data, out var w, out _, out var bands);
        Assert.Equal(3, bands);
        TestImages.AssertColour(TestImages.Red, TestImages.PixelAt(pixels, w, bands, 16, 16), profile == "cmyk" ? 25 : 8);
    }

    [Fact]
    public async Task Display_p3_photo_from_the_corpus_is_colour_managed()
    {
        var input = await File.ReadAllBytesAsync(TestImages.CorpusPath("display-p3.jpg"));
        var info = Engine.Probe(input);
        Assert.True(info.HasIccProfile);

        var result = await Engine.ProcessAsync(input, OriginalOnly with { Formats = OutputFormats.Jpeg });

        var raw = TestImages.Decode(input, out var w, out _, out var rb);
        var managed = TestImages.Decode(result.Variants[0].Data, out _, out _, out var mb);
        Assert.Equal(rb, mb);
        var differs = 0;
        for (var i = 0; i < raw.Length; i += 3)
        {
            if (Math.Abs(raw[i] - managed[i]) + Math.Abs(raw[i + 1] - managed[i + 1]) + Math.Abs(raw[i + 2] - managed[i + 2]) > 12)
            {
                differs++;
            }
        }

        Assert.True(differs > raw.Length / 3 / 10, $"only {differs} of {raw.Length / 3} pixels changed: the profile was ignored ({w} px wide)");
    }

    [Fact]
    public async Task Cmyk_jpeg_without_a_profile_is_converted()
    {
        using var srgb = TestImages.Solid(32, 32, TestImages.Blue);
        using var cmyk = srgb.IccTransform("cmyk", inputProfile: "srgb");
        var tagged = cmyk.SaveAs("jpegsave_buffer", ("Q", 95));
        var untagged = cmyk.SaveAs("jpegsave_buffer", ("Q", 95), ("strip", true));
        Assert.Equal(4, TestImages.Load(untagged, "jpegload_buffer").Bands);

        var viaProfile = await Engine.ProcessAsync(tagged, OriginalOnly with { Formats = OutputFormats.Jpeg });
        var viaFallback = await Engine.ProcessAsync(untagged, OriginalOnly with { Formats = OutputFormats.Jpeg });

        // Blue is outside the CMYK gamut, so compare with the tagged path: the fallback is the same built-in profile.
        var a = TestImages.Decode(viaProfile.Variants[0].Data, out var w, out _, out var bands);
        var b = TestImages.Decode(viaFallback.Variants[0].Data, out _, out _, out _);
        TestImages.AssertColour(TestImages.PixelAt(a, w, bands, 16, 16), TestImages.PixelAt(b, w, bands, 16, 16), 4, "untagged CMYK");
    }

    [Fact]
    public async Task Sixteen_bit_png_is_reduced_to_eight_bit()
    {
        using var srgb = TestImages.Solid(40, 30, TestImages.Green);
        using var deep = srgb.Colourspace(Enums.Interpretation.Rgb16);
        Assert.Equal(Enums.BandFormat.Ushort, deep.Format);
        var input = TestImages.Png(deep);

        var result = await Engine.ProcessAsync(input, OriginalOnly);

        Assert.All(result.Variants, v =>
        {
            var pixels = TestImages.Decode(v.Data, out var w, out _, out var bands);
            TestImages.AssertColour(TestImages.Green, TestImages.PixelAt(pixels, w, bands, 20, 15), 8);
        });
    }

    [Fact]
    public async Task Sixteen_bit_png_with_alpha_keeps_its_alpha()
    {
        using var rgba = TestImages.Solid(40, 30, [40, 180, 60, 128]);
        using var deep = rgba.Colourspace(Enums.Interpretation.Rgb16);
        var input = TestImages.Png(deep);

        var result = await Engine.ProcessAsync(input, OriginalOnly with { Formats = OutputFormats.WebP });

        var pixels = TestImages.Decode(result.Variants[0].Data, out var w, out _, out var bands);
        Assert.Equal(4, bands);
        Assert.InRange(TestImages.PixelAt(pixels, w, bands, 20, 15)[3], 118, 138);
    }

    [Fact]
    public async Task Grey_jpeg_is_processed()
    {
        using var photo = TestImages.Photo(200, 100);
        using var grey = photo.Colourspace(Enums.Interpretation.Bw);
        var result = await Engine.ProcessAsync(TestImages.Jpeg(grey), ImageJobSpec.Default);
        Assert.Equal(10, result.Variants.Count);
        Assert.Equal("b-w", result.Original.ColourSpace);
    }

    [Fact]
    public async Task Alpha_is_kept_for_webp_and_flattened_on_white_for_jpeg()
    {
        var pixels = TestImages.Pixels(64, 64, (x, _) => x < 32 ? [220, 40, 40, 255] : [0, 0, 0, 0]);
        using var rgba = TestImages.FromPixels(pixels, 64, 64, 4);
        var result = await Engine.ProcessAsync(TestImages.Png(rgba), OriginalOnly);

        var webp = result.Variants.Single(v => v.Format == OutputFormat.WebP);
        var wp = TestImages.Decode(webp.Data, out var ww, out _, out var wb);
        Assert.Equal(4, wb);
        Assert.True(TestImages.PixelAt(wp, ww, wb, 48, 32)[3] < 10, "transparent stays transparent in WebP");
        Assert.True(TestImages.PixelAt(wp, ww, wb, 16, 32)[3] > 245);

        var jpeg = result.Variants.Single(v => v.Format == OutputFormat.Jpeg);
        var jp = TestImages.Decode(jpeg.Data, out var jw, out _, out var jb);
        Assert.Equal(3, jb);
        TestImages.AssertColour([255, 255, 255], TestImages.PixelAt(jp, jw, jb, 48, 32), 6, "transparent becomes white in JPEG");
        TestImages.AssertColour(TestImages.Red, TestImages.PixelAt(jp, jw, jb, 16, 32), 10);
    }

    [Theory]
    [InlineData("gifsave_buffer")]
    [InlineData("webpsave_buffer")]
    public async Task Animated_images_give_their_first_frame(string saver)
    {
        var input = TestImages.Animated(saver, 48, 32, TestImages.Red, TestImages.Green, TestImages.Blue);

        var info = Engine.Probe(input);
        Assert.Equal(3, info.Pages);
        Assert.Equal((48, 32), (info.Width, info.Height));

        var result = await Engine.ProcessAsync(input, OriginalOnly with { Formats = OutputFormats.Jpeg });
        var v = result.Variants.Single();
        Assert.Equal((48, 32), (v.Width, v.Height));
        var pixels = TestImages.Decode(v.Data, out var w, out _, out var bands);
        TestImages.AssertColour(TestImages.Red, TestImages.PixelAt(pixels, w, bands, 24, 16), 30);
    }

    [Fact]
    public async Task Frames_count_towards_the_pixel_limit()
    {
        var input = TestImages.Animated("gifsave_buffer", 100, 100, TestImages.Red, TestImages.Green, TestImages.Blue);
        var e = await Assert.ThrowsAsync<ImageRejectedException>(() =>
            Engine.ProcessAsync(input, ImageJobSpec.Default with { MaxPixels = 25_000 }));
        Assert.Equal(ImageRejectionReason.TooManyPixels, e.Reason);
        Assert.Contains("3 frames", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_one_pixel_image_gives_one_pixel_variants_that_share_bytes()
    {
        using var dot = TestImages.Solid(1, 1, TestImages.Blue);
        var result = await Engine.ProcessAsync(TestImages.Png(dot), ImageJobSpec.Default);
        Assert.Equal(10, result.Variants.Count);
        Assert.All(result.Variants, v => Assert.Equal((1, 1), (v.Width, v.Height)));
        Assert.Single(result.Variants.Where(v => v.Format == OutputFormat.Jpeg).Select(v => v.Data).Distinct());
        Assert.NotNull(result.Placeholder);
    }

    [Fact]
    public async Task A_very_wide_panorama_keeps_webp_inside_its_limit()
    {
        using var strip = TestImages.Photo(20000, 60);
        var result = await Engine.ProcessAsync(TestImages.Jpeg(strip), ImageJobSpec.Default with { Placeholder = true });

        var jpeg = result.Variants.Single(v => v.Preset == "original" && v.Format == OutputFormat.Jpeg);
        Assert.Equal((20000, 60), (jpeg.Width, jpeg.Height));
        Assert.All(result.Variants.Where(v => v.Format == OutputFormat.WebP), v => Assert.True(v.Width <= 16383));
        var large = result.Variants.Single(v => v.Preset == "large" && v.Format == OutputFormat.Jpeg);
        Assert.Equal(1920, large.Width);
        var thumb = result.Variants.Single(v => v.Preset == "thumbnail" && v.Format == OutputFormat.Jpeg);
        // Cover never upscales: a 60 px high strip gives a 150x60 crop of its most interesting part.
        Assert.True((150, 60) == (thumb.Width, thumb.Height), $"thumbnail {thumb.Width}x{thumb.Height}");
    }

    [Fact]
    public async Task Avif_input_and_output()
    {
        using var photo = TestImages.Photo(128, 96);
        var avif = photo.SaveAs("heifsave_buffer", ("compression", Enums.ForeignHeifCompression.Av1), ("Q", 60), ("effort", 0));
        Assert.Equal(ImageFormat.Avif, FormatSniffer.Sniff(avif, out _));

        var result = await Engine.ProcessAsync(avif, new ImageJobSpec { Presets = [ImagePreset.Small], Formats = OutputFormats.Avif | OutputFormats.Jpeg });

        Assert.Equal(ImageFormat.Avif, result.Original.Format);
        var outAvif = result.Variants.Single(v => v.Format == OutputFormat.Avif);
        Assert.Equal("image/avif", outAvif.ContentType);
        Assert.Equal(ImageFormat.Avif, FormatSniffer.Sniff(outAvif.Data, out _));
        Assert.Equal((128, 96), (outAvif.Width, outAvif.Height));
    }

    [Fact]
    public async Task Heic_input_from_the_corpus()
    {
        var heic = await File.ReadAllBytesAsync(TestImages.CorpusPath("photo.heic"));
        Assert.Equal(ImageFormat.Heic, FormatSniffer.Sniff(heic, out _));
        var result = await Engine.ProcessAsync(heic, new ImageJobSpec { Presets = [ImagePreset.Thumbnail] });
        Assert.All(result.Variants, v => Assert.Equal((150, 150), (v.Width, v.Height)));
    }

    [Fact]
    public async Task Tiff_input()
    {
        using var photo = TestImages.Photo(300, 200);
        var tiff = photo.SaveAs("tiffsave_buffer");
        var result = await Engine.ProcessAsync(tiff, new ImageJobSpec { Presets = [ImagePreset.Small] });
        Assert.Equal(ImageFormat.Tiff, result.Original.Format);
        Assert.Equal(2, result.Variants.Count);
    }

    [Fact]
    public async Task Jpeg_shrink_on_load_still_gives_exact_sizes()
    {
        using var photo = TestImages.Photo(4000, 3000);
        var input = TestImages.Jpeg(photo);
        var result = await Engine.ProcessAsync(input, new ImageJobSpec { Presets = [ImagePreset.Medium, ImagePreset.Thumbnail] });
        Assert.Contains(result.Variants, v => v is { Preset: "medium", Width: 1024, Height: 768 });
        Assert.Contains(result.Variants, v => v is { Preset: "thumbnail", Width: 150, Height: 150 });
    }
}

/// <summary>The same cases on the libvips engine.</summary>
public sealed class VipsCorpusTests() : CorpusTests(TestEngines.Vips);

/// <summary>The same cases on the Skia engine (HEIC, AVIF and TIFF handed to libvips).</summary>
public sealed class SkiaCorpusTests() : CorpusTests(TestEngines.Skia);
