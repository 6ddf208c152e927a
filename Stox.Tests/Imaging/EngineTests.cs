using Stox.Imaging;
using NetVips;
using Stox.Imaging.Vips;

namespace Stox.Tests.Imaging;

public abstract class EngineTests(IImageEngine engine)
{
    private IImageEngine Engine { get; } = engine;

    [Fact]
    public async Task Default_set_has_every_preset_in_jpeg_and_webp_with_the_right_sizes()
    {
        using var photo = TestImages.Photo(2400, 1600);
        var input = TestImages.Jpeg(photo);

        var result = await Engine.ProcessAsync(input, ImageJobSpec.Default);

        Assert.Equal(ImageFormat.Jpeg, result.Original.Format);
        Assert.Equal((2400, 1600), (result.Original.Width, result.Original.Height));
        Assert.Equal(10, result.Variants.Count);
        var expected = new Dictionary<string, (int, int)>
        {
            ["thumbnail"] = (150, 150),
            ["small"] = (480, 320),
            ["medium"] = (1024, 683),
            ["large"] = (1920, 1280),
            ["original"] = (2400, 1600),
        };
        foreach (var v in result.Variants)
        {
            Assert.Equal(expected[v.Preset], (v.Width, v.Height));
            var decoded = TestImages.Decode(v.Data, out var w, out var h, out _);
            Assert.NotEmpty(decoded);
            Assert.Equal((v.Width, v.Height), (w, h));
            Assert.Equal(v.Format == OutputFormat.Jpeg ? "image/jpeg" : "image/webp", v.ContentType);
        }

        foreach (var format in new[] { OutputFormat.Jpeg, OutputFormat.WebP })
        {
            var bytes = new[] { "thumbnail", "small", "medium", "large", "original" }
                .Select(p => result.Variants.Single(v => v.Preset == p && v.Format == format).Bytes).ToArray();
            for (var i = 1; i < bytes.Length; i++)
            {
                Assert.True(bytes[i - 1] <= bytes[i], $"{format}: a smaller preset is larger in bytes: {string.Join(", ", bytes)}");
            }
        }

        Assert.NotNull(result.Placeholder);
        Assert.Matches("^#[0-9a-f]{6}$", result.DominantColor);
        Assert.Empty(result.Enhanced);
    }

    [Fact]
    public async Task Jpeg_output_is_progressive_and_carries_no_metadata()
    {
        using var photo = TestImages.Photo(640, 480);
        var input = TestImages.WithExif(TestImages.Jpeg(photo), 1);
        using (var check = TestImages.Load(input, "jpegload_buffer"))
        {
            Assert.True(check.Contains("exif-data"), "precondition: the input has EXIF with GPS");
        }

        var result = await Engine.ProcessAsync(input, new ImageJobSpec { Presets = [ImagePreset.Original, ImagePreset.Small] });

        foreach (var v in result.Variants)
        {
            using var image = TestImages.Load(v.Data, v.Format == OutputFormat.Jpeg ? "jpegload_buffer" : "webpload_buffer");
            Assert.False(image.Contains("exif-data"), $"{v.Preset} {v.Format} kept EXIF");
            Assert.False(image.Contains("xmp-data"));
            Assert.False(image.Contains("iptc-data"));
            Assert.False(image.Contains("icc-profile-data"));
            if (v.Format == OutputFormat.Jpeg && Engine is not Stox.Imaging.Skia.SkiaImageEngine)
            {
                // Skia's JPEG encoder writes baseline only.
                Assert.Equal(1, image.IntField("interlaced"));
            }
        }
    }

    [Fact]
    public void Probe_reads_the_header_only()
    {
        var bomb = TestImages.PngBomb(60000, 60000);
        var info = Engine.Probe(bomb);
        Assert.Equal((60000, 60000), (info.Width, info.Height));
        Assert.Equal(ImageFormat.Png, info.Format);
        Assert.Equal("image/png", info.ContentType);
    }

    [Fact]
    public async Task Stream_input_works_like_bytes()
    {
        using var photo = TestImages.Photo(300, 200);
        using var stream = new MemoryStream(TestImages.Jpeg(photo));
        var result = await Engine.ProcessAsync(stream, new ImageJobSpec { Presets = [ImagePreset.Small], Formats = OutputFormats.Jpeg });
        Assert.Equal((300, 200), (result.Variants[0].Width, result.Variants[0].Height));
    }

    [Fact]
    public async Task Concurrent_jobs_succeed()
    {
        using var photo = TestImages.Photo(800, 600);
        var input = TestImages.Jpeg(photo);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Engine.ProcessAsync(input, ImageJobSpec.Default)));
        Assert.All(results, r => Assert.Equal(10, r.Variants.Count));
        Assert.Single(results.Select(r => r.Placeholder).Distinct());
    }
}

/// <summary>The same cases on the libvips engine.</summary>
public sealed class VipsEngineTests() : EngineTests(TestEngines.Vips);

/// <summary>The same cases on the Skia engine (HEIC, AVIF and TIFF handed to libvips).</summary>
public sealed class SkiaEngineTests() : EngineTests(TestEngines.Skia);
