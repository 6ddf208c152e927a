using Stox.Hosting;

namespace Stox.Tests.Infrastructure;

/// <summary>
/// The whole system, started once for every test in the "system" collection: every server, every service,
/// telemetry exported to a test OTLP receiver.
/// </summary>
public sealed class StoxAppFixture : AppModelFixture
{
    public OtlpTestReceiver Telemetry { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Telemetry = await OtlpTestReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Telemetry.DisposeAsync();
    }

    protected override void ConfigureOptions(DistributedApplicationOptions options)
    {
        options.OtlpEndpoint = Telemetry.Endpoint;
        options.OtlpProtocol = "http/protobuf";
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<StoxAppFixture>
{
    public const string Name = "system";
}
