using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Stox.Tests.Infrastructure;

/// <summary>
/// Starts the AppHost's app model through Aspire.Hosting.Testing once for a test collection, after the fixture has
/// trimmed or changed it, waits until every resource is healthy, and stops every process when the collection is done.
/// </summary>
public abstract class AppModelFixture : IAsyncLifetime
{
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    /// <summary>AppHost arguments (configuration), e.g. <c>--AppHost:Persist=true</c>.</summary>
    protected virtual string[] Arguments => [];

    public virtual async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(Arguments);
        if (Environment.GetEnvironmentVariable("STOX_TEST_LOGS") == "1")
        {
            builder.Services.AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        }

        builder.WithFreePorts();
        Configure(builder);
        _app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await _app.StartAsync(timeout.Token);
        await App.WaitForAllHealthyAsync(timeout.Token);
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }
}
