using System.Globalization;
using Microsoft.Playwright;

namespace Stox.Benchmarks.Frontend;

/// <summary>
/// The web app as a person sees it, in headless Chromium against a running system (the gateway's URL):
/// the time from an upload finishing to the gallery showing its processed thumbnail (p50 over N uploads, one at a
/// time), and the bytes the gallery page transfers with M images (all pages scrolled in).
/// </summary>
public static class FrontendBenchmark
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    // A photo-like JPEG drawn in the page (gradients and noise), handed to the upload input as a picked file.
    private const string PickPhotoScript = """
        async ([name, width, height, seed]) => {
          const canvas = new OffscreenCanvas(width, height);
          const g = canvas.getContext('2d');
          const gradient = g.createLinearGradient(0, 0, width, height);
          gradient.addColorStop(0, `hsl(${seed * 37 % 360} 60% 55%)`);
          gradient.addColorStop(1, `hsl(${(seed * 37 + 120) % 360} 50% 35%)`);
          g.fillStyle = gradient; g.fillRect(0, 0, width, height);
          for (let i = 0; i < 4000; i++) { g.fillStyle = `rgba(${i * 7 % 255},${i * 13 % 255},${i * 29 % 255},0.15)`; g.fillRect((i * 7919 + seed) % width, (i * 104729) % height, 12, 12); }
          const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
          const transfer = new DataTransfer();
          transfer.items.add(new File([blob], name, { type: 'image/jpeg' }));
          const input = document.getElementById('file-input');
          input.files = transfer.files;
          input.dispatchEvent(new Event('change'));
        }
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var url = Option(args, "--url") ?? throw new ArgumentException("--url <gateway URL> is required");
        var uploads = int.Parse(Option(args, "--uploads") ?? "10", CultureInfo.InvariantCulture);
        var galleryImages = int.Parse(Option(args, "--gallery") ?? "50", CultureInfo.InvariantCulture);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        var context = await browser.NewContextAsync(new() { BaseURL = url.TrimEnd('/'), ViewportSize = new() { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(180_000);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/signup");
        await page.GetByLabel("Email").FillAsync($"bench-{Guid.NewGuid():N}@stox.test");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("benchmark-passphrase-42");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.Locator("#gallery[data-live=open]").WaitForAsync();

        // 1. Upload finished -> processed thumbnail painted, one upload at a time (both times from the page's clock).
        var latencies = new List<double>();
        for (var i = 0; i < uploads; i++)
        {
            var name = $"bench-{i}.jpg";
            await page.EvaluateAsync(PickPhotoScript, new object[] { name, 2400, 1600, i });
            var row = page.Locator("#upload-list li.upload-item", new() { HasText = name });
            await row.And(page.Locator(".done")).WaitForAsync();
            var id = await row.GetAttributeAsync("data-image-id");
            var done = double.Parse((await row.GetAttributeAsync("data-done-at"))!, CultureInfo.InvariantCulture);
            var image = page.Locator($"li.card[data-image-id='{id}'] .thumb.loaded img");
            await image.WaitForAsync();
            var loaded = double.Parse((await image.GetAttributeAsync("data-loaded-at"))!, CultureInfo.InvariantCulture);
            latencies.Add(loaded - done);
            Console.WriteLine($"upload {i + 1}/{uploads}: thumbnail shown {loaded - done:0} ms after the upload finished");
        }

        latencies.Sort();
        Console.WriteLine($"upload finished -> thumbnail shown: p50 {Percentile(latencies, 0.5):0} ms, min {latencies[0]:0} ms, max {latencies[^1]:0} ms (n={latencies.Count})");

        // 2. Fill the gallery to M images (smaller photos, several at a time), then load it cold and count bytes.
        for (var i = uploads; i < galleryImages; i++)
        {
            await page.EvaluateAsync(PickPhotoScript, new object[] { $"fill-{i}.jpg", 1200, 800, i });
        }

        await page.Locator("#gallery-grid li.card[data-status=complete]").Nth(galleryImages - 1).WaitForAsync();
        var cold = await browser.NewContextAsync(new() { BaseURL = url.TrimEnd('/'), ViewportSize = new() { Width = 1280, Height = 900 }, StorageState = await context.StorageStateAsync() });
        var gallery = await cold.NewPageAsync();
        long bytes = 0;
        var requests = 0;
        var pending = new List<Task>();
        gallery.RequestFinished += (_, request) => pending.Add(Task.Run(async () =>
        {
            var sizes = await request.SizesAsync();
            Interlocked.Add(ref bytes, sizes.ResponseBodySize + sizes.ResponseHeadersSize);
            Interlocked.Increment(ref requests);
        }));
        await gallery.GotoAsync("/", new() { WaitUntil = WaitUntilState.NetworkIdle });
        while (await gallery.Locator("#gallery-more").CountAsync() > 0)
        {
            try
            {
                await gallery.Locator("#gallery-more").ScrollIntoViewIfNeededAsync(new() { Timeout = 5_000 });
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                // The next page replaced the "more" link while it was being scrolled to, or the last page removed it:
                // look again.
            }

            await gallery.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }

        await gallery.EvaluateAsync("window.scrollTo(0, document.body.scrollHeight)");
        await gallery.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Task.WhenAll(pending.ToArray());
        var cards = await gallery.Locator("#gallery-grid li.card").CountAsync();
        Console.WriteLine($"gallery with {cards} images, all scrolled in: {bytes / 1024.0:0.0} KB transferred in {requests} requests (body + headers, cache cold)");
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Floor((sorted.Count - 1) * p)];

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
