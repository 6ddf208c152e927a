using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.ServiceDefaults.Redis;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Redis;

/// <summary>
/// The app model's "cache" resource alone, from the testing builder. <see cref="StopAsync"/> kills redis-server
/// (no clean shutdown) and <see cref="StartAsync"/> starts it again on the same port, for restart tests.
/// </summary>
public sealed class RedisServerFixture : AppModelFixture, IAsyncDisposable
{
    public string ConnectionString { get; private set; } = string.Empty;

    public int Port => App.GetEndpoint("cache", "tcp").Port;

    /// <summary>Options for this server with quick reconnection back-off, suitable for tests.</summary>
    public RedisConnectionOptions Options(string? extra = null)
    {
        var options = RedisConnectionOptions.Parse(extra is null ? ConnectionString : ConnectionString + "," + extra);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(250);
        return options;
    }

    public Task<RedisConnection> ConnectAsync(string? extra = null) => RedisConnection.ConnectAsync(Options(extra));

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        ConnectionString = await App.GetConnectionStringAsync("cache") ?? throw new InvalidOperationException("No connection string.");
    }

    protected override void Configure(IDistributedApplicationTestingBuilder builder) => builder.KeepOnly("cache");

    public async Task StopAsync()
    {
        if (App.Snapshot("cache").State?.Text != KnownResourceStates.Running)
        {
            return;
        }

        await App.KillResourceAsync("cache");
    }

    public async Task StartAsync()
    {
        await App.StartResourceAsync("cache");
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
}
