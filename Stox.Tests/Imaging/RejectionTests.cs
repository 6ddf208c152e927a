using System.Diagnostics;
using System.Text;
using Stox.Imaging;

namespace Stox.Tests.Imaging;

/// <summary>Bad inputs give a typed, readable error: never a crash, a hang or an allocation of the claimed size.</summary>
public abstract class RejectionTests(IImageEngine engine)
{
    private IImageEngine Engine { get; } = engine;

    internal Task<ImageRejectedException> Rejected(byte[] input, ImageJobSpec? spec = null) => Rejected(Engine, input, spec);

    internal static async Task<ImageRejectedException> Rejected(IImageEngine engine, byte[] input, ImageJobSpec? spec = null)
    {
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ImageRejectedException>(() => engine.ProcessAsync(input, spec ?? ImageJobSpec.Default));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "rejection took too long");
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e;
    }

    [Fact]
    public async Task Zero_bytes()
    {
        var e = await Rejected([]);
        Assert.Equal(ImageRejectionReason.Empty, e.Reason);
        Assert.Equal("The file is empty.", e.Message);
    }

    [Fact]
    public async Task Truncated_jpeg()
    {
        using var photo = TestImages.Photo(400, 300);
        var jpeg = TestImages.Jpeg(photo);
        var e = await Rejected(jpeg[..(jpeg.Length / 2)]);
        Assert.Equal(ImageRejectionReason.Truncated, e.Reason);
        Assert.StartsWith("The JPEG file is truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_png()
    {
        using var photo = TestImages.Photo(400, 300);
        var png = TestImages.Png(photo);
        var e = await Rejected(png[..(png.Length / 2)]);
        Assert.Contains(e.Reason, new[] { ImageRejectionReason.Truncated, ImageRejectionReason.Corrupt });
    }

    [Fact]
    public async Task Jpeg_with_a_corrupt_body()
    {
        using var photo = TestImages.Photo(400, 300);
        var jpeg = TestImages.Jpeg(photo);
        var rng = new Random(7);
        for (var i = jpeg.Length / 3; i < jpeg.Length - 2; i += 7)
        {
            jpeg[i] = (byte)rng.Next(256);
        }

        var e = await Rejected(jpeg);
        Assert.Contains(e.Reason, new[] { ImageRejectionReason.Truncated, ImageRejectionReason.Corrupt });
    }

    [Fact]
    public async Task Header_only_jpeg()
    {
        var e = await Rejected([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]);
        Assert.Contains(e.Reason, new[] { ImageRejectionReason.Truncated, ImageRejectionReason.Corrupt });
    }

    [Fact]
    public async Task Random_bytes_named_jpg()
    {
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        bytes[0] = 0x00;
        var e = await Rejected(bytes);
        Assert.Equal(ImageRejectionReason.UnsupportedFormat, e.Reason);
        Assert.Equal("unknown", e.DetectedType);
    }

    [Fact]
    public async Task Svg()
    {
        var svg = Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100000\" height=\"100000\"><rect width=\"10\" height=\"10\"/></svg>");
        var e = await Rejected(svg);
        Assert.Equal(ImageRejectionReason.UnsupportedFormat, e.Reason);
        Assert.Equal("SVG", e.DetectedType);
        Assert.StartsWith("The file is not a supported image (detected: SVG)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf()
    {
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
        var e = await Rejected(pdf);
        Assert.Equal(ImageRejectionReason.UnsupportedFormat, e.Reason);
        Assert.Equal("PDF", e.DetectedType);
        Assert.StartsWith("The file is not a supported image (detected: PDF)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_file()
    {
        var e = await Rejected(Encoding.UTF8.GetBytes("hello, this is not an image\n"));
        Assert.Equal("text", e.DetectedType);
    }

    [Theory]
    [InlineData("BM", "BMP")]
    [InlineData("8BPS", "PSD")]
    [InlineData("PK\u0003\u0004", "ZIP")]
    public async Task Other_formats_are_named(string magic, string detected)
    {
        var bytes = Encoding.Latin1.GetBytes(magic).Concat(new byte[64]).ToArray();
        var e = await Rejected(bytes);
        Assert.Equal(detected, e.DetectedType);
    }

    [Fact]
    public async Task Pixel_limit_is_configurable_per_job()
    {
        using var photo = TestImages.Photo(400, 300);
        var e = await Rejected(TestImages.Jpeg(photo), ImageJobSpec.Default with { MaxPixels = 100_000 });
        Assert.Equal(ImageRejectionReason.TooManyPixels, e.Reason);
    }

    [Fact]
    public async Task Bad_inputs_in_parallel_do_not_disturb_good_ones()
    {
        using var photo = TestImages.Photo(300, 200);
        var good = TestImages.Jpeg(photo);
        var bad = good[..(good.Length / 2)];
        var tasks = Enumerable.Range(0, 16).Select(async i =>
        {
            if (i % 2 == 0)
            {
                var r = await Engine.ProcessAsync(good, ImageJobSpec.Default);
                return r.Variants.Count == 10 ? "ok" : $"good job {i}: {r.Variants.Count} variants";
            }

            var e = await Assert.ThrowsAsync<ImageRejectedException>(() => Engine.ProcessAsync(bad, ImageJobSpec.Default));
            return e.Reason == ImageRejectionReason.Truncated ? "ok" : $"bad job {i}: {e.Reason}: {e.Message}";
        });
        Assert.All(await Task.WhenAll(tasks), r => Assert.Equal("ok", r));
    }
}

/// <summary>The same cases on the libvips engine.</summary>
public sealed class VipsRejectionTests() : RejectionTests(TestEngines.Vips);

/// <summary>The same cases on the Skia engine (HEIC, AVIF and TIFF handed to libvips).</summary>
public sealed class SkiaRejectionTests() : RejectionTests(TestEngines.Skia);
