using Stox.Hosting;
using Stox.Hosting.Testing;

namespace Stox.Tests.Infrastructure;

/// <summary>
/// Starts the AppHost's app model once for a test collection, after the fixture has trimmed or changed it,
/// and stops every process when the collection is done.
/// </summary>
public abstract class AppModelFixture : IAsyncLifetime
{
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    public virtual async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(configureOptions: ConfigureOptions);
        Configure(builder);
        _app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await _app.StartAsync(timeout.Token);
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    protected virtual void ConfigureOptions(DistributedApplicationOptions options)
    {
    }

    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }
}
