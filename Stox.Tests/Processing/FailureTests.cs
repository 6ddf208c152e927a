using System.Text;
using Stox.Messaging.Contracts;
using Stox.Tests.Imaging;

namespace Stox.Tests.Processing;

/// <summary>Inputs that can never be processed fail at once, with a message a person can read, and the worker goes on.</summary>
[Collection(ProcessingCollection.Name)]
public sealed class FailureTests(ProcessingFixture fixture)
{
    public static TheoryData<string, string> BadInputs => new()
    {
        { "pdf", "not a supported image (detected: PDF)" },
        { "text", "not a supported image (detected: text)" },
        { "truncated", "truncated" },
        { "empty", "The file is empty." },
        { "png-bomb", "The image is too large: 30000x30000" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task A_file_that_is_not_a_usable_image_fails_permanently_and_the_worker_takes_the_next_job(string input, string expectedError)
    {
        var bad = await fixture.UploadOriginalAsync(BadInput(input));
        var good = await fixture.UploadOriginalAsync(ProcessingTests.PhotoJpeg(320, 200));

        await fixture.RequestAsync(bad);
        var events = await fixture.WaitForOutcomeAsync(bad.JobId);
        await fixture.RequestAsync(good);

        var failed = Assert.Single(events, e => e.Failed is not null).Failed!;
        Assert.True(failed.Permanent);
        Assert.Contains(expectedError, failed.Error, StringComparison.Ordinal);
        Assert.Equal(1, failed.Attempts);
        Assert.DoesNotContain(events, e => e.Completed is not null);
        Assert.Empty(await fixture.ListVariantKeysAsync(bad));
        Assert.Contains(await fixture.WaitForOutcomeAsync(good.JobId), e => e.Completed is not null);
    }

    [Fact]
    public async Task A_missing_original_fails_permanently_without_retrying()
    {
        var job = new ImageJobRequestedV1(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "originals/nobody/deleted.jpg", "deleted.jpg", false, ImageFormats.Default, DateTimeOffset.UtcNow);

        await fixture.RequestAsync(job);
        var events = await fixture.WaitForOutcomeAsync(job.JobId);

        var failed = Assert.Single(events, e => e.Failed is not null).Failed!;
        Assert.True(failed.Permanent);
        Assert.Contains("no longer in storage", failed.Error, StringComparison.Ordinal);
        Assert.All(events.Where(e => e.Progress is not null), e => Assert.Equal(1, e.Progress!.Attempt));
    }

    private static byte[] BadInput(string name) => name switch
    {
        "pdf" => Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"),
        "text" => Encoding.UTF8.GetBytes("These are holiday notes, not a photo, whatever the .jpg says.\n"),
        "truncated" => ProcessingTests.PhotoJpeg(640, 480)[..6000],
        "empty" => [],
        "png-bomb" => TestImages.PngBomb(30000, 30000),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
