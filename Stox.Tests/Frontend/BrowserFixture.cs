using Microsoft.Playwright;

namespace Stox.Tests.Frontend;

/// <summary>One headless Chromium (Debian's, flags from DESIGN.md) for a test class; a fresh context per test.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static int _nextAddress;
    private IPlaywright _playwright = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>
    /// A new browser with its own client address (X-Forwarded-For, believed from loopback by the gateway), so that
    /// auth's per-IP limits never cross tests.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(Uri baseUrl, int width = 1280, int height = 900)
    {
        var n = Interlocked.Increment(ref _nextAddress);
        var address = $"10.{(Environment.ProcessId >> 8) & 255}.{n >> 8 & 255}.{(n & 255) + 1}";
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = address },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(20_000);
        // Expectations wait as long as actions: on a loaded CI machine a sign-up (password hashing, then the
        // gallery's first render) takes longer than Playwright's 5 s default.
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(20_000);
        return context;
    }

    /// <summary>Runs a test's steps and saves a screenshot of the page if one fails.</summary>
    public static async Task WithScreenshotOnFailureAsync(IPage page, string name, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, $"{name}-{DateTime.UtcNow:HHmmss}.png");
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
                Console.Error.WriteLine($"Screenshot of the failed page: {path}");
            }
            catch (PlaywrightException)
            {
                // The page itself is gone; the original failure says why.
            }

            throw;
        }
    }
}
