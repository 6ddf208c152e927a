using Stox.Imaging;
using NetVips;

namespace Stox.Tests.Imaging;

/// <summary>What a decode takes from the decode budget, read from the header of each kind of input.</summary>
public sealed class DecodeCostTests
{
    private const int W = 600;
    private const int H = 400;
    private const long Pixels = W * H;

    private static readonly VipsImageEngine Engine = new();

    private static DecodeCost CostOf(byte[] input, string loader, int shrink = 1, bool enhance = false)
    {
        using var header = TestImages.Load(input, loader); // a loader reads only the header until pixels are asked for
        return DecodeCost.Of(header, Engine.Probe(input), input, shrink, enhance);
    }

    private static Image Photo() => TestImages.Photo(W, H);

    [Fact]
    public void A_baseline_jpeg_costs_its_decoded_image_only()
    {
        using var photo = Photo();
        Assert.Equal(new DecodeCost(Pixels * 3, 0), CostOf(TestImages.Jpeg(photo), "jpegload_buffer"));
    }

    [Theory]
    [InlineData(false, 6)] // Y, Cb and Cr whole, 2 bytes a coefficient
    [InlineData(true, 4)] // Cb and Cr a quarter each
    public void A_progressive_jpeg_also_costs_its_coefficients_whatever_the_shrink(bool chromaSubsampled, int bytesPerPixel)
    {
        using var photo = Photo();
        var input = TestImages.ProgressiveJpeg(photo, chromaSubsampled);

        Assert.Equal(new DecodeCost(Pixels * 3, Pixels * bytesPerPixel), CostOf(input, "jpegload_buffer"));
        Assert.Equal(new DecodeCost(Pixels / 16 * 3, Pixels * bytesPerPixel), CostOf(input, "jpegload_buffer", shrink: 4));
    }

    [Fact]
    public void A_rotated_jpeg_costs_a_second_decoded_image_for_its_rotation()
    {
        using var photo = Photo();
        var input = TestImages.WithExif(TestImages.Jpeg(photo), orientation: 6);
        Assert.Equal(new DecodeCost(Pixels * 3, Pixels * 3), CostOf(input, "jpegload_buffer"));
    }

    [Fact]
    public void An_enhanced_job_counts_its_enhanced_copy()
    {
        using var photo = Photo();
        var cost = CostOf(TestImages.Jpeg(photo), "jpegload_buffer", enhance: true);
        Assert.Equal(new DecodeCost(Pixels * 3 * 2, 0), cost);
        Assert.Equal(Pixels * 6, cost.Total);
    }

    [Fact]
    public void Png_costs_a_frame_more_only_when_interlaced()
    {
        using var photo = Photo();
        var plain = photo.SaveAs("pngsave_buffer", ("compression", 1));
        var interlaced = photo.SaveAs("pngsave_buffer", ("compression", 1), ("interlace", true));

        Assert.Equal(new DecodeCost(Pixels * 3, 0), CostOf(plain, "pngload_buffer"));
        Assert.Equal(new DecodeCost(Pixels * 3, Pixels * 3), CostOf(interlaced, "pngload_buffer"));
    }

    [Fact]
    public void Webp_costs_only_what_libwebp_holds_beside_the_image_when_it_decodes_it_directly()
    {
        using var photo = Photo();
        using var withAlpha = photo.BandjoinConst([200.0]);
        Assert.Equal(new DecodeCost(Pixels * 3, 0), CostOf(photo.SaveAs("webpsave_buffer"), "webpload_buffer"));
        Assert.Equal(new DecodeCost(Pixels * 4, Pixels), CostOf(withAlpha.SaveAs("webpsave_buffer"), "webpload_buffer"));
        Assert.Equal(new DecodeCost(Pixels * 3, Pixels * 4), CostOf(photo.SaveAs("webpsave_buffer", ("lossless", true)), "webpload_buffer"));
    }

    [Fact]
    public void A_webp_that_libvips_decodes_costs_its_canvas()
    {
        using var srgb = TestImages.Solid(W, H, TestImages.Red);
        using var p3 = srgb.IccTransform("p3", inputProfile: "srgb");
        Assert.Equal(new DecodeCost(Pixels * 3, Pixels * 8), CostOf(p3.SaveAs("webpsave_buffer", ("strip", false)), "webpload_buffer"));
    }
}
