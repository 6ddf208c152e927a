using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Stox.Hosting;
using Stox.Hosting.Testing;
using static Microsoft.Playwright.Assertions;

namespace Stox.Tests.Dashboard;

/// <summary>A real app (the frontend, with the dashboard on) driven through headless Chromium.</summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private DistributedApplication _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(configureOptions: o => o.EnableDashboard = true);
        builder.KeepOnly("frontend");
        _app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _app.StartAsync(timeout.Token);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.DisposeAsync();
    }

    private DashboardServerHandle Dashboard => new(_app.Dashboard ?? throw new InvalidOperationException("The dashboard did not start."));

    [Fact]
    public async Task Resources_console_logs_and_a_trace_render_in_Chromium()
    {
        var page = await _browser.NewPageAsync();

        // The printed link logs in and lands on the resources page.
        await page.GotoAsync(Dashboard.Server.LoginUrl);
        var row = page.Locator("tr[data-resource=frontend]");
        await Expect(row).ToContainTextAsync("Running");
        await Expect(row).ToContainTextAsync("Healthy");
        await Expect(row.Locator("a[href^='http://localhost:']")).ToHaveCountAsync(1);
        await Expect(row.Locator("[data-since]")).ToHaveTextAsync(new Regex(@"^\d+"));

        // The environment, with the OTLP endpoint pointing back at this dashboard.
        await page.Locator("details#env-frontend summary").ClickAsync();
        await Expect(page.Locator("details#env-frontend")).ToContainTextAsync("OTEL_EXPORTER_OTLP_ENDPOINT");
        await Expect(page.Locator("details#env-frontend")).ToContainTextAsync(Dashboard.Server.OtlpGrpcEndpoint);

        // Console output of the service, searchable.
        await page.GotoAsync(new Uri(Dashboard.Server.Url, "/console?resource=frontend").ToString());
        await Expect(page.Locator("#console .line").First).ToBeVisibleAsync();
        await page.Locator("#search").FillAsync("no line contains this");
        await Expect(page.Locator("#console .line:not(.hidden)")).ToHaveCountAsync(0);

        // New output streams in live, and the search applies to it.
        await page.Locator("#search").FillAsync("live line");
        _app.ResourceLogs.Write("frontend", "\u001b[32ma live line\u001b[0m from the test");
        await Expect(page.Locator("#console .line:not(.hidden)")).ToHaveCountAsync(1);
        await Expect(page.Locator("#console .line:not(.hidden)")).ToContainTextAsync("a live line from the test");

        // A request to the service becomes a trace with its server span.
        using (var frontend = _app.CreateHttpClient("frontend"))
        {
            using var response = await frontend.GetAsync(new Uri("/", UriKind.Relative));
            response.EnsureSuccessStatusCode();
        }

        await page.GotoAsync(new Uri(Dashboard.Server.Url, "/traces?resource=frontend").ToString());
        var trace = page.Locator("#traces a", new PageLocatorOptions { HasTextString = "frontend: GET /" });
        await Expect(trace.First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
        await trace.First.ClickAsync();
        var span = page.Locator("#waterfall details.span[data-service=frontend]");
        await Expect(span.First).ToBeVisibleAsync();
        await Expect(span.First).ToContainTextAsync("GET /");

        // Structured logs from the service arrived over OTLP too.
        await page.GotoAsync(new Uri(Dashboard.Server.Url, "/logs?resource=frontend").ToString());
        await Expect(page.Locator("#logs tbody tr").First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
        await Expect(page.Locator("#logs")).ToContainTextAsync("frontend");
    }

    [Fact]
    public async Task Restart_from_the_resources_page_restarts_the_service_and_the_page_follows()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(Dashboard.Server.LoginUrl);
        var row = page.Locator("tr[data-resource=frontend]");
        await Expect(row).ToContainTextAsync("Running");
        var before = _app.ResourceNotifications.Get("frontend")!.ProcessIds;

        await row.Locator("button[data-command=restart]").ClickAsync();

        // Live updates: the row goes through Stopping/Starting and comes back Running with one restart, no reload.
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("1", new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
        await Expect(row).ToContainTextAsync("Running", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
        var after = await _app.WaitForResourceHealthyAsync("frontend");
        Assert.Equal(1, after.Restarts);
        Assert.Empty(after.ProcessIds.Intersect(before));
    }

    private readonly record struct DashboardServerHandle(Stox.Hosting.Dashboard.DashboardServer Server);
}
