using System.Diagnostics;
using System.Text.Json;
using Stox.Imaging;
using Stox.Messaging.Contracts;
using Stox.Tests.Imaging;

using Stox.Tests.Infrastructure;

namespace Stox.Tests.Processing;

/// <summary>Jobs through the real broker, storage and processing replicas: what gets stored and reported.</summary>
[Collection(ProcessingCollection.Name)]
public sealed class ProcessingTests(ProcessingFixture fixture)
{
    [Fact]
    public async Task A_photo_gets_every_preset_in_jpeg_and_webp_with_its_real_dimensions()
    {
        var job = await fixture.UploadOriginalAsync(PhotoJpeg(2400, 1600));

        await fixture.RequestAsync(job);
        var events = await fixture.WaitForOutcomeAsync(job.JobId);

        var completed = Assert.Single(events, e => e.Completed is not null).Completed!;
        Assert.Equal(new ImageInfoV1(2400, 1600, "jpeg", completed.Original.Bytes), completed.Original);
        Assert.Empty(completed.Enhanced);
        Assert.NotNull(completed.Placeholder);
        Assert.Matches("^#[0-9a-f]{6}$", completed.DominantColor);
        var expected = new Dictionary<string, (int Width, int Height)>
        {
            ["thumbnail"] = (150, 150), ["small"] = (480, 320), ["medium"] = (1024, 683), ["large"] = (1920, 1280), ["original"] = (2400, 1600),
        };
        await AssertStoredAsync(job, completed.Variants, expected, [ImageFormats.Jpeg, ImageFormats.WebP], enhanced: false);
        Assert.Equal(
            completed.Variants.Select(v => v.Key).Order(),
            (await fixture.ListVariantKeysAsync(job)).Order());

        var stages = events.Where(e => e.Progress is not null).Select(e => e.Progress!).ToList();
        Assert.Equal(
            [ImageJobStages.Started, ImageJobStages.Downloaded, ImageJobStages.Processed, ImageJobStages.Stored],
            stages.Where(p => p.Stage != ImageJobStages.Heartbeat).Select(p => p.Stage));
        Assert.All(stages, p => Assert.Equal(1, p.Attempt));
        Assert.All(stages, p => Assert.Equal(completed.Worker, p.Worker));
        Assert.Matches(@"^[^/]+/[a-z0-9]+$", completed.Worker);
        Assert.Contains(ProcessingFixture.ReplicaOf(completed.Worker), fixture.App.Instances("processing"));
    }

    [Fact]
    public async Task Enhance_and_avif_give_the_enhanced_set_in_three_formats_with_heartbeats_while_it_works()
    {
        var job = await fixture.UploadOriginalAsync(PhotoJpeg(600, 400), enhance: true, formats: ImageFormats.All);

        await fixture.RequestAsync(job);
        var events = await fixture.WaitForOutcomeAsync(job.JobId, TimeSpan.FromSeconds(60));

        var completed = Assert.Single(events, e => e.Completed is not null).Completed!;
        var expected = new Dictionary<string, (int Width, int Height)>
        {
            ["thumbnail"] = (150, 150), ["small"] = (480, 320), ["medium"] = (600, 400), ["large"] = (600, 400), ["original"] = (600, 400),
        };
        await AssertStoredAsync(job, completed.Variants, expected, ImageFormats.All, enhanced: false);
        await AssertStoredAsync(job, completed.Enhanced, expected, ImageFormats.All, enhanced: true);
        Assert.Equal(30, (await fixture.ListVariantKeysAsync(job)).Count);
        Assert.Contains(completed.Variants, v => v is { Format: ImageFormats.Avif, ContentType: "image/avif" } && v.Key.EndsWith(".avif", StringComparison.Ordinal));
        // The fixture asks for a heartbeat every 0.5 s; an enhanced job with six AVIF encodes takes longer than that.
        Assert.Contains(events, e => e.Progress?.Stage == ImageJobStages.Heartbeat);
    }

    [Fact]
    public async Task Handling_continues_the_publishers_trace_and_the_events_carry_it_on()
    {
        var job = await fixture.UploadOriginalAsync(PhotoJpeg(64, 48));
        using var publishing = new Activity("test publishes a job").SetIdFormat(ActivityIdFormat.W3C).Start();

        await fixture.RequestAsync(job);
        publishing.Stop();
        var events = await fixture.WaitForOutcomeAsync(job.JobId);

        Assert.Contains(events, e => e.Completed is not null);
        Assert.All(events, e => Assert.Equal(publishing.TraceId, e.TraceId));
        // Each event comes from processing's own span, a child within the trace, not from the test's span.
        Assert.All(events, e => Assert.DoesNotContain(publishing.SpanId.ToHexString(), e.TraceParent!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_covers_the_broker_and_storage_and_jobs_show_up_in_metrics_and_traces()
    {
        var job = await fixture.UploadOriginalAsync(PhotoJpeg(64, 48));
        await fixture.RequestAsync(job);
        Assert.Contains(await fixture.WaitForOutcomeAsync(job.JobId), e => e.Completed is not null);

        foreach (var replica in fixture.App.Instances("processing"))
        {
            using var client = new HttpClient { BaseAddress = fixture.App.InstanceUrl(replica) };
            using var health = JsonDocument.Parse(await client.GetStringAsync(new Uri("/health", UriKind.Relative)));
            var checks = health.RootElement.GetProperty("checks");
            Assert.Equal("Healthy", checks.GetProperty("RabbitMQ.Client").GetProperty("status").GetString());
            Assert.Equal("Healthy", checks.GetProperty("storage").GetProperty("status").GetString());
        }

        await fixture.Telemetry.WaitForExportAsync("metrics", TimeSpan.FromSeconds(15), "Stox.Processing", "stox.processing.jobs.processed", "stox.processing.job.duration");
        await fixture.Telemetry.WaitForSpanFromServiceAsync("processing", "process processing.image-jobs", TimeSpan.FromSeconds(15));
        await fixture.Telemetry.WaitForExportAsync("logs", TimeSpan.FromSeconds(15), "JobCompleted", job.JobId.ToString());
    }

    internal static byte[] PhotoJpeg(int width, int height)
    {
        using var photo = TestImages.Photo(width, height);
        return TestImages.Jpeg(photo);
    }

    private async Task AssertStoredAsync(
        ImageJobRequestedV1 job, IReadOnlyList<VariantV1> variants, Dictionary<string, (int Width, int Height)> expected, IReadOnlyList<string> formats, bool enhanced)
    {
        Assert.Equal(expected.Count * formats.Count, variants.Count);
        foreach (var preset in expected.Keys)
        {
            foreach (var format in formats)
            {
                var variant = Assert.Single(variants, v => v.Preset == preset && v.Format == format);
                Assert.Equal(StorageKeys.Variant(job.UserId, job.ImageId, preset, StorageKeys.ExtensionOf(format), enhanced), variant.Key);
                var (data, contentType) = await fixture.GetObjectAsync(variant.Key);
                Assert.Equal(variant.ContentType, contentType);
                Assert.Equal($"image/{format}", contentType);
                Assert.Equal(variant.Bytes, data.LongLength);
                TestImages.Decode(data, out var width, out var height, out _);
                Assert.Equal((variant.Width, variant.Height), (width, height));
                Assert.True(Math.Abs(expected[preset].Width - width) <= 1 && Math.Abs(expected[preset].Height - height) <= 1,
                    $"{preset}.{format}: expected {expected[preset]}, stored {width}x{height}");
                Assert.Equal(FormatSniffer.Sniff(data, out _), format switch { "jpeg" => ImageFormat.Jpeg, "webp" => ImageFormat.WebP, _ => ImageFormat.Avif });
            }
        }
    }
}
