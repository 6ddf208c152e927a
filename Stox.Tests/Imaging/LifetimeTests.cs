using System.Diagnostics;
using Stox.Imaging;

namespace Stox.Tests.Imaging;

/// <summary>Cancellation, deadlines and memory budgets.</summary>
public sealed class LifetimeTests
{
    private static readonly VipsImageEngine Engine = new();

    private static byte[] LargePng()
    {
        using var photo = TestImages.Photo(6000, 4000);
        return TestImages.Png(photo);
    }

    [Fact]
    public async Task Cancelled_before_start()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        using var photo = TestImages.Photo(100, 100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine.ProcessAsync(TestImages.Jpeg(photo), ImageJobSpec.Default, cts.Token));
    }

    [Fact]
    public async Task Deadline_stops_a_long_job_with_a_timeout()
    {
        var input = LargePng();
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            Engine.ProcessAsync(input, ImageJobSpec.Default with { Timeout = TimeSpan.FromMilliseconds(150), Enhance = true }));
        Assert.Contains("did not finish", e.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Cancellation_during_a_job()
    {
        var input = LargePng();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine.ProcessAsync(input, ImageJobSpec.Default with { Enhance = true }, cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");

        // The engine is fine afterwards.
        using var photo = TestImages.Photo(200, 100);
        var ok = await Engine.ProcessAsync(TestImages.Jpeg(photo), ImageJobSpec.Default);
        Assert.Equal(10, ok.Variants.Count);
    }

    [Fact]
    public async Task Concurrent_jobs_over_the_memory_budgets_take_turns_and_all_complete()
    {
        // Budgets far below one image: every job and every large encode must wait for the budget to itself.
        var engine = new VipsImageEngine(new ImagingOptions { DecodeBudgetBytes = 1_000, LargeEncodeBudgetBytes = 1_000, LargeEncodePixels = 10_000 });
        using var photo = TestImages.Photo(400, 300);
        byte[][] inputs = [TestImages.Jpeg(photo), TestImages.ProgressiveJpeg(photo, chromaSubsampled: false)];

        // Progressive decodes borrow the encode budget too, and enhanced jobs hold two images: none may wait on itself.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            engine.ProcessAsync(inputs[i % 2], ImageJobSpec.Default with { Enhance = i % 4 < 2 })));

        Assert.All(results, r => Assert.Equal(10, r.Variants.Count));
        Assert.All(results, r => Assert.Contains(r.Variants, v => v is { Preset: "original", Width: 400, Height: 300 }));
        Assert.Equal(4, results.Count(r => r.Enhanced.Count == 10));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_decode_larger_than_the_decode_budget_waits_for_room_in_the_encode_budget_too(bool progressive)
    {
        // A photo's original WebP (effort 6) holds the whole encode budget for a long while. A small-output job of a
        // progressive JPEG needs its coefficients (6 bytes a pixel) beyond the decode budget, so it decodes only once
        // that encode is done; the same picture as a baseline JPEG decodes shrunk, fits, and finishes first.
        var engine = new VipsImageEngine(new ImagingOptions
        {
            DecodeBudgetBytes = 2400 * 1600 * 3, LargeEncodeBudgetBytes = 2400 * 1600 * 2, LargeEncodePixels = 1_000_000,
            LargeWebpEffort = 6, WebpEffort = 0,
        });
        using var photo = TestImages.Photo(2400, 1600);
        using var second = TestImages.Photo(2000, 1500);
        var spec = ImageJobSpec.Default with { Formats = OutputFormats.WebP, Placeholder = false };
        var secondInput = progressive ? TestImages.ProgressiveJpeg(second, chromaSubsampled: false) : TestImages.Jpeg(second);

        var big = engine.ProcessAsync(TestImages.Jpeg(photo), spec);
        await Task.Delay(300); // the photo's original WebP holds the encode budget by now
        var small = engine.ProcessAsync(secondInput, spec with { Presets = [new ImagePreset("small", 480, 480, PresetFit.Inside)] });
        var first = await Task.WhenAny(big, small);

        Assert.Same(progressive ? big : small, first);
        await Task.WhenAll(big, small);
    }

    [Fact]
    public async Task Concurrent_jobs_under_tight_budgets_give_the_same_bytes_as_one_job_alone()
    {
        // Decoded images go back to the budget while encoders may still run: no encoder may read a freed image.
        var engine = new VipsImageEngine(new ImagingOptions { DecodeBudgetBytes = 600_000, LargeEncodeBudgetBytes = 600_000, LargeEncodePixels = 50_000 });
        using var photo = TestImages.Photo(480, 360);
        var input = TestImages.Jpeg(photo);
        var alone = await engine.ProcessAsync(input, ImageJobSpec.Default);

        var together = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => engine.ProcessAsync(input, ImageJobSpec.Default)));

        Assert.All(together, r => Assert.Equal(alone.Variants.Select(v => v.Data), r.Variants.Select(v => v.Data)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_job_gives_its_decoded_image_back_while_its_original_is_still_encoding(bool enhance)
    {
        // The budget holds one decoded photo. The photo's original WebP (effort 6) takes long after the photo has
        // been read; a small job queued behind it decodes and finishes in that time instead of after the photo.
        var engine = new VipsImageEngine(new ImagingOptions
        {
            DecodeBudgetBytes = 2400 * 1600 * 3, LargeEncodePixels = 1_000_000, LargeWebpEffort = 6, WebpEffort = 0,
        });
        using var photo = TestImages.Photo(2400, 1600);
        using var small = TestImages.Photo(64, 48);
        var spec = ImageJobSpec.Default with { Formats = OutputFormats.WebP, Placeholder = false, Enhance = enhance };

        var big = engine.ProcessAsync(TestImages.Jpeg(photo), spec);
        await Task.Delay(200); // the photo holds the whole budget by now
        var queued = engine.ProcessAsync(TestImages.Jpeg(small), spec);
        var first = await Task.WhenAny(big, queued);

        Assert.Same(queued, first);
        await big;
    }
}
