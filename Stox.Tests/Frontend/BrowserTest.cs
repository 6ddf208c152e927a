using Microsoft.Playwright;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Frontend;

/// <summary>A browser test on the shared system: a fresh browser context and page per test, at the gateway.</summary>
public abstract class BrowserTest(StoxAppFixture fixture, BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    protected StoxAppFixture Fixture => fixture;

    protected IBrowserContext Context { get; private set; } = null!;

    protected IPage Page { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Context = await browser.NewContextAsync(WebApp.Gateway(fixture));
        Page = await Context.NewPageAsync();
    }

    public Task DisposeAsync() => Context.DisposeAsync().AsTask();
}
