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
public sealed class ImageBrowserTests(StoxAppFixture fixture, BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _context = await browser.NewContextAsync(WebApp.Gateway(fixture));
        _page = await _context.NewPageAsync();
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

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
        BrowserFixture.WithScreenshotOnFailureAsync(_page, nameof(Upload_two_photos_watch_them_complete_open_one_download_a_size_delete_it_and_sign_out), async () =>
        {
            var (small, large) = WritePhotos();
            Assert.True(new FileInfo(large).Length > 768 * 1024, "the large photo must take the direct-to-S3 path");
            await WebApp.SignUpAsync(_page, WebApp.NewEmail("photos"));
            await WebApp.ExpectGalleryAsync(_page);
            await Expect(_page.Locator("#gallery")).ToHaveAttributeAsync("data-live", "open", new() { Timeout = 20_000 });

            await _page.Locator("#enhance").CheckAsync();
            await _page.Locator("#file-input").SetInputFilesAsync([small, large]);

            // Both uploads finish, with a preview and a full progress bar each.
            var uploads = _page.Locator("#upload-list li.upload-item.done");
            await Expect(uploads).ToHaveCountAsync(2, new() { Timeout = 60_000 });
            await Expect(_page.Locator("#upload-list li.failed")).ToHaveCountAsync(0);
            await Expect(_page.Locator("#upload-list progress[value='100']")).ToHaveCountAsync(2);

            // The tiles arrive and turn "Ready" with their thumbnails, without a reload (the marker survives).
            await _page.EvaluateAsync("window.__noReload = true");
            var cards = _page.Locator("#gallery-grid li.card");
            await Expect(cards).ToHaveCountAsync(2);
            await Expect(_page.Locator("#gallery-grid li.card[data-status=complete]")).ToHaveCountAsync(2, new() { Timeout = 120_000 });
            await Expect(_page.Locator("#gallery-grid li.card .thumb.loaded img")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
            Assert.True(await _page.EvaluateAsync<bool>("window.__noReload === true"));
            await Expect(_page.Locator("#gallery-grid li.card picture source[type='image/webp']").First).ToHaveAttributeAsync("srcset", new System.Text.RegularExpressions.Regex("2x"));
            await Expect(_page.Locator("#gallery-grid li.card img").First).ToHaveAttributeAsync("loading", "lazy");

            // The status filter.
            await _page.GetByRole(AriaRole.Link, new() { Name = "Failed" }).ClickAsync();
            await Expect(_page.Locator("#gallery-grid li.card")).ToHaveCountAsync(0);
            await _page.GetByRole(AriaRole.Link, new() { Name = "Ready" }).ClickAsync();
            await Expect(_page.Locator("#gallery-grid li.card")).ToHaveCountAsync(2);

            // Open the large one and switch resolutions: the picture shown is that variant.
            await _page.GetByRole(AriaRole.Link, new() { Name = "meadow.jpg" }).ClickAsync();
            await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "meadow.jpg" })).ToBeVisibleAsync();
            foreach (var (preset, width) in new[] { ("small", 480), ("medium", 1024), ("large", 1920) })
            {
                await _page.Locator($".variants a[data-preset={preset}]").ClickAsync();
                await Expect(_page.Locator($".variants a[data-preset={preset}]")).ToHaveAttributeAsync("aria-current", "page");
                await Expect(_page.GetByTestId("viewer-caption")).ToContainTextAsync($"{width} ×");
                await _page.WaitForFunctionAsync($"() => document.getElementById('viewer-image').naturalWidth === {width}");
            }

            // Before/after: the slider moves the boundary of the enhanced picture.
            var range = _page.Locator("#compare-range");
            await range.FocusAsync();
            await range.FillAsync("80");
            await Expect(_page.Locator("#compare-after")).ToHaveAttributeAsync("style", new System.Text.RegularExpressions.Regex(@"inset\(0px 20% 0px 0px\)|inset\(0 20% 0 0\)"));

            // Download the medium JPEG and check its dimensions.
            var download = await _page.RunAndWaitForDownloadAsync(() => _page.Locator("a[data-download='medium-jpeg']").ClickAsync());
            var file = Path.Combine(Path.GetTempPath(), $"stox-download-{Guid.NewGuid():N}.jpg");
            await download.SaveAsAsync(file);
            TestImages.Decode(await File.ReadAllBytesAsync(file), out var downloadedWidth, out var downloadedHeight, out _);
            Assert.Equal((1024, 683), (downloadedWidth, downloadedHeight));

            // Delete, with confirmation.
            await _page.GetByText("Delete…").ClickAsync();
            await _page.GetByTestId("confirm-delete").ClickAsync();
            await Expect(_page.GetByTestId("deleted-message")).ToHaveTextAsync("meadow.jpg was deleted.");
            await Expect(_page.Locator("#gallery-grid li.card")).ToHaveCountAsync(1);

            await _page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(_page.GetByText("You are signed out.")).ToBeVisibleAsync();
        });

    [Fact]
    public Task Files_over_the_limits_are_refused_before_upload() =>
        BrowserFixture.WithScreenshotOnFailureAsync(_page, nameof(Files_over_the_limits_are_refused_before_upload), async () =>
        {
            await WebApp.SignUpAsync(_page, WebApp.NewEmail("limits"));
            await WebApp.ExpectGalleryAsync(_page);
            await _page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "hello"u8.ToArray() });
            await Expect(_page.Locator("#upload-list li.failed [role=alert]")).ToContainTextAsync("Not a supported format");
        });
}
