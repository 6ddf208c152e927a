using Stox.Hosting;
using Stox.Hosting.Testing;

namespace Stox.Tests.Infrastructure;

/// <summary>
/// The whole system, started once for every test in the "system" collection: every server, every service,
/// telemetry exported to a test OTLP receiver.
/// </summary>
public sealed class StoxAppFixture : IAsyncLifetime
{
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    public OtlpTestReceiver Telemetry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Telemetry = await OtlpTestReceiver.StartAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(
            configureOptions: options =>
            {
                options.OtlpEndpoint = Telemetry.Endpoint;
                options.OtlpProtocol = "http/protobuf";
            });
        _app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await _app.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await Telemetry.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<StoxAppFixture>
{
    public const string Name = "system";
}
