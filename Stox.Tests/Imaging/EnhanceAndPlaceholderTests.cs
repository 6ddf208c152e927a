using Stox.Imaging;
using NetVips;

namespace Stox.Tests.Imaging;

public sealed class EnhanceAndPlaceholderTests
{
    private static readonly VipsImageEngine Engine = new();

    /// <summary>A dull, low-contrast, slightly desaturated "phone photo": values squeezed into 70..170.</summary>
    private static byte[] DullPhoto(int width = 320, int height = 240)
    {
        using var photo = TestImages.Photo(width, height);
        using var dull = photo.Linear([0.4, 0.4, 0.4], [70, 70, 70], uchar: true);
        return TestImages.Jpeg(dull);
    }

    private static (double Mean, double StdDev, double Chroma) LabStats(byte[] encoded)
    {
        var loader = FormatSniffer.Sniff(encoded, out _) == ImageFormat.Jpeg ? "jpegload_buffer" : "webpload_buffer";
        using var image = TestImages.Load(encoded, loader);
        using var lab = image.Colourspace(Enums.Interpretation.Lab);
        using var floats = lab.Cast(Enums.BandFormat.Float);
        var values = floats.WriteToMemory<float>();
        var n = values.Length / 3;
        double sum = 0, sumSq = 0, chroma = 0;
        for (var i = 0; i < n; i++)
        {
            var l = values[i * 3];
            sum += l;
            sumSq += l * l;
            chroma += Math.Sqrt((values[(i * 3) + 1] * values[(i * 3) + 1]) + (values[(i * 3) + 2] * values[(i * 3) + 2]));
        }

        var mean = sum / n;
        return (mean, Math.Sqrt((sumSq / n) - (mean * mean)), chroma / n);
    }

    [Fact]
    public async Task Enhanced_set_has_the_same_presets_and_formats()
    {
        var result = await Engine.ProcessAsync(DullPhoto(), ImageJobSpec.Default with { Enhance = true });
        Assert.Equal(10, result.Enhanced.Count);
        Assert.Equal(
            result.Variants.Select(v => (v.Preset, v.Format, v.Width, v.Height)),
            result.Enhanced.Select(v => (v.Preset, v.Format, v.Width, v.Height)));
        Assert.NotEqual(result.Variants[0].Data, result.Enhanced[0].Data);
    }

    [Fact]
    public async Task Enhance_lifts_contrast_and_colour_of_a_dull_photo_without_overdoing_it()
    {
        var spec = new ImageJobSpec { Presets = [ImagePreset.Original], Formats = OutputFormats.Jpeg, Enhance = true, Placeholder = false };
        var result = await Engine.ProcessAsync(DullPhoto(), spec);

        var before = LabStats(result.Variants[0].Data);
        var after = LabStats(result.Enhanced[0].Data);

        Assert.True(after.StdDev > before.StdDev * 1.2, $"contrast {before.StdDev:0.0} -> {after.StdDev:0.0}");
        Assert.True(after.StdDev < before.StdDev * 2.5, $"too strong: contrast {before.StdDev:0.0} -> {after.StdDev:0.0}");
        Assert.True(after.Chroma > before.Chroma, $"chroma {before.Chroma:0.0} -> {after.Chroma:0.0}");
        Assert.True(Math.Abs(after.Mean - before.Mean) < 15, $"brightness moved {before.Mean:0.0} -> {after.Mean:0.0}");
    }

    [Fact]
    public async Task Enhance_strength_zero_changes_almost_nothing_and_strength_orders_the_effect()
    {
        var input = DullPhoto();
        async Task<double> Contrast(double strength)
        {
            var spec = new ImageJobSpec { Presets = [ImagePreset.Original], Formats = OutputFormats.Jpeg, Enhance = true, EnhanceStrength = strength, Placeholder = false };
            var r = await Engine.ProcessAsync(input, spec);
            return LabStats(r.Enhanced[0].Data).StdDev;
        }

        var none = await Contrast(0);
        var mild = await Contrast(0.3);
        var strong = await Contrast(1);
        var baseline = LabStats((await Engine.ProcessAsync(input, new ImageJobSpec { Presets = [ImagePreset.Original], Formats = OutputFormats.Jpeg })).Variants[0].Data).StdDev;
        Assert.True(Math.Abs(none - baseline) < 1.0, $"strength 0: {baseline:0.00} vs {none:0.00}");
        Assert.True(none < mild && mild < strong, $"{none:0.0} < {mild:0.0} < {strong:0.0}");
    }

    [Fact]
    public async Task Enhance_keeps_alpha_and_works_with_denoise()
    {
        var pixels = TestImages.Pixels(64, 64, (x, y) => x < 32 ? [(byte)(100 + y), 120, 140, 255] : [0, 0, 0, 0]);
        using var rgba = TestImages.FromPixels(pixels, 64, 64, 4);
        var spec = new ImageJobSpec { Presets = [ImagePreset.Original, ImagePreset.Thumbnail], Formats = OutputFormats.WebP, Enhance = true, EnhanceDenoise = true };

        var result = await Engine.ProcessAsync(TestImages.Png(rgba), spec);

        var webp = result.Enhanced.Single(v => v.Preset == "original");
        var decoded = TestImages.Decode(webp.Data, out var w, out _, out var bands);
        Assert.Equal(4, bands);
        Assert.True(TestImages.PixelAt(decoded, w, bands, 48, 32)[3] < 10);
    }

    [Fact]
    public async Task Placeholder_and_dominant_colour_of_a_solid_image()
    {
        using var solid = TestImages.Solid(200, 100, [50, 100, 150]);
        var result = await Engine.ProcessAsync(TestImages.Png(solid), ImageJobSpec.Default);

        Assert.Equal("#326496", result.DominantColor);
        Assert.NotNull(result.Placeholder);
        // size flag (1) + maximum AC (1) + DC (4) + 11 AC terms (2 each): 4x3 components for a landscape image.
        Assert.True(result.Placeholder!.Length == 6 + (2 * ((4 * 3) - 1)), result.Placeholder);
        Assert.Equal('L', result.Placeholder[0]); // size flag: (4-1) + (3-1)*9 = 21 -> 'L'
        Assert.Equal(BlurHashDc(50, 100, 150), result.Placeholder.Substring(2, 4));
    }

    [Fact]
    public async Task Placeholder_can_be_turned_off()
    {
        using var solid = TestImages.Solid(20, 10, TestImages.Red);
        var result = await Engine.ProcessAsync(TestImages.Png(solid), ImageJobSpec.Default with { Placeholder = false });
        Assert.Null(result.Placeholder);
        Assert.Null(result.DominantColor);
    }

    [Fact]
    public void Dominant_colour_picks_the_largest_area_not_the_mean()
    {
        var pixels = TestImages.Pixels(10, 10, (x, _) => x < 7 ? [10, 200, 10] : [250, 10, 10]);
        Assert.Equal("#0ac80a", Placeholders.Dominant(pixels, 100, 3));
    }

    /// <summary>The BlurHash DC term for an sRGB colour, as the reference implementation encodes it.</summary>
    private static string BlurHashDc(int r, int g, int b)
    {
        const string chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
        var value = (r << 16) + (g << 8) + b;
        return new string([chars[value / (83 * 83 * 83) % 83], chars[value / (83 * 83) % 83], chars[value / 83 % 83], chars[value % 83]]);
    }
}
