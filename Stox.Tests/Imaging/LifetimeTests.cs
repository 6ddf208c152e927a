using System.Diagnostics;
using Stox.Imaging;

namespace Stox.Tests.Imaging;

/// <summary>Cancellation, deadlines and native memory across many jobs.</summary>
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
    public async Task No_native_memory_grows_across_1000_jobs()
    {
        using var photo = TestImages.Photo(64, 48);
        var good = TestImages.WithExif(TestImages.Jpeg(photo), 6);
        var bad = good[..(good.Length / 2)];
        var spec = ImageJobSpec.Default with { Enhance = false };

        async Task Run(int n)
        {
            for (var i = 0; i < n; i++)
            {
                if (i % 10 == 9)
                {
                    await Assert.ThrowsAsync<ImageRejectedException>(() => Engine.ProcessAsync(bad, spec));
                }
                else
                {
                    await Engine.ProcessAsync(good, i % 100 == 0 ? spec with { Enhance = true } : spec);
                }
            }
        }

        await Run(50);
        var before = NativeMemoryStats.Current;
        await Run(1000);
        var after = NativeMemoryStats.Current;

        Assert.True(after.Bytes - before.Bytes < 256 * 1024, $"tracked bytes grew {before.Bytes} -> {after.Bytes}");
        Assert.True(after.Allocations - before.Allocations < 16, $"tracked allocations grew {before.Allocations} -> {after.Allocations}");
        Assert.Equal(before.OpenFiles, after.OpenFiles);
    }

    [Fact]
    public async Task Concurrent_jobs_over_the_memory_budgets_take_turns_and_all_complete()
    {
        // Budgets far below one image: every job and every large encode must wait for the budget to itself.
        var engine = new VipsImageEngine(new ImagingOptions { DecodeBudgetBytes = 1_000, LargeEncodeBudgetBytes = 1_000, LargeEncodePixels = 10_000 });
        using var photo = TestImages.Photo(400, 300);
        var input = TestImages.Jpeg(photo);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => engine.ProcessAsync(input, ImageJobSpec.Default)));

        Assert.All(results, r => Assert.Equal(10, r.Variants.Count));
        Assert.All(results, r => Assert.Contains(r.Variants, v => v is { Preset: "original", Width: 400, Height: 300 }));
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
