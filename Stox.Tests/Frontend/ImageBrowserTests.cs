using Microsoft.Playwright;
using Stox.Tests.Imaging;
using Stox.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Stox.Tests.Frontend;

/// <summary>
/// The whole photo journey in Chromium: upload two photos (one small, through the app; one large, straight to S3),
/// badges turning complete by themselves, the image page, a download, delete, sign out. Needs jobs' images API and
/// the processing worker.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ImageBrowserTests(StoxAppFixture fixture, BrowserFixture browser) : BrowserTest(fixture, browser)
{
    /// <summary>A small real photo (the corpus' Display P3 JPEG) and a 2400x1600 photo-like JPEG over the direct-upload threshold.</summary>
    internal static (string Small, string Large) WritePhotos()
    {
        var folder = Directory.CreateTempSubdirectory("stox-web-").FullName;
        var small = Path.Combine(folder, "harbour.jpg");
        File.Copy(TestImages.CorpusPath("display-p3.jpg"), small);
        var large = Path.Combine(folder, "meadow.jpg");
        using (var photo = TestImages.Photo(2400, 1600))
        {
            File.WriteAllBytes(large, TestImages.Jpeg(photo));
        }

        return (small, large);
    }

    [Fact]
    public Task Upload_two_photos_watch_them_complete_open_one_download_a_size_delete_it_and_sign_out() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(Upload_two_photos_watch_them_complete_open_one_download_a_size_delete_it_and_sign_out), async () =>
        {
            var (small, large) = WritePhotos();
            Assert.True(new FileInfo(large).Length > 768 * 1024, "the large photo must take the direct-to-S3 path");
            await WebApp.SignUpAsync(Page, WebApp.NewEmail("photos"));
            await WebApp.ExpectGalleryAsync(Page);
            await Expect(Page.Locator("#gallery")).ToHaveAttributeAsync("data-live", "open", new() { Timeout = 20_000 });

            await Page.Locator("#enhance").CheckAsync();
            await Page.Locator("#file-input").SetInputFilesAsync([small, large]);

            // Both uploads finish, with a preview and a full progress bar each.
            var uploads = Page.Locator("#upload-list li.upload-item.done");
            await Expect(uploads).ToHaveCountAsync(2, new() { Timeout = 60_000 });
            await Expect(Page.Locator("#upload-list li.failed")).ToHaveCountAsync(0);
            await Expect(Page.Locator("#upload-list progress[value='100']")).ToHaveCountAsync(2);

            // The tiles arrive and turn "Ready" with their thumbnails, without a reload (the marker survives).
            await Page.EvaluateAsync("window.__noReload = true");
            var cards = Page.Locator("#gallery-grid li.card");
            await Expect(cards).ToHaveCountAsync(2);
            await Expect(Page.Locator("#gallery-grid li.card[data-status=complete]")).ToHaveCountAsync(2, new() { Timeout = 120_000 });
            await Expect(Page.Locator("#gallery-grid li.card .thumb.loaded img")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
            Assert.True(await Page.EvaluateAsync<bool>("window.__noReload === true"));
            await Expect(Page.Locator("#gallery-grid li.card picture source[type='image/webp']").First).ToHaveAttributeAsync("srcset", new System.Text.RegularExpressions.Regex("2x"));
            await Expect(Page.Locator("#gallery-grid li.card img").First).ToHaveAttributeAsync("loading", "lazy");

            // The status filter.
            await Page.GetByRole(AriaRole.Link, new() { Name = "Failed" }).ClickAsync();
            await Expect(Page.Locator("#gallery-grid li.card")).ToHaveCountAsync(0);
            await Page.GetByRole(AriaRole.Link, new() { Name = "Ready" }).ClickAsync();
            await Expect(Page.Locator("#gallery-grid li.card")).ToHaveCountAsync(2);

            // Open the large one and switch resolutions: the picture shown is that variant.
            await Page.GetByRole(AriaRole.Link, new() { Name = "meadow.jpg" }).ClickAsync();
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "meadow.jpg" })).ToBeVisibleAsync();
            foreach (var (preset, width) in new[] { ("small", 480), ("medium", 1024), ("large", 1920) })
            {
                await Page.Locator($".variants a[data-preset={preset}]").ClickAsync();
                await Expect(Page.Locator($".variants a[data-preset={preset}]")).ToHaveAttributeAsync("aria-current", "page");
                await Expect(Page.GetByTestId("viewer-caption")).ToContainTextAsync($"{width} ×");
                await Page.WaitForFunctionAsync($"() => document.getElementById('viewer-image').naturalWidth === {width}");
            }

            // Before/after: the slider moves the boundary of the enhanced picture.
            var range = Page.Locator("#compare-range");
            await range.FocusAsync();
            await range.FillAsync("80");
            await Expect(Page.Locator("#compare-after")).ToHaveAttributeAsync("style", new System.Text.RegularExpressions.Regex(@"inset\(0px 20% 0px 0px\)|inset\(0 20% 0 0\)"));

            // Download the medium JPEG and check its dimensions.
            var download = await Page.RunAndWaitForDownloadAsync(() => Page.Locator("a[data-download='medium-jpeg']").ClickAsync());
            var file = Path.Combine(Path.GetTempPath(), $"stox-download-{Guid.NewGuid():N}.jpg");
            await download.SaveAsAsync(file);
            TestImages.Decode(await File.ReadAllBytesAsync(file), out var downloadedWidth, out var downloadedHeight, out _);
            Assert.Equal((1024, 683), (downloadedWidth, downloadedHeight));

            // Delete, with confirmation.
            await Page.GetByText("Delete…").ClickAsync();
            await Page.GetByTestId("confirm-delete").ClickAsync();
            await Expect(Page.GetByTestId("deleted-message")).ToHaveTextAsync("meadow.jpg was deleted.");
            await Expect(Page.Locator("#gallery-grid li.card")).ToHaveCountAsync(1);

            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(Page.GetByText("You are signed out.")).ToBeVisibleAsync();
        });

    [Fact]
    public Task Files_over_the_limits_are_refused_before_upload() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(Files_over_the_limits_are_refused_before_upload), async () =>
        {
            await WebApp.SignUpAsync(Page, WebApp.NewEmail("limits"));
            await WebApp.ExpectGalleryAsync(Page);
            await WebApp.ExpectUploadReadyAsync(Page);
            await Page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "hello"u8.ToArray() });
            await Expect(Page.Locator("#upload-list li.failed [role=alert]")).ToContainTextAsync("Not a supported format");
        });
}
