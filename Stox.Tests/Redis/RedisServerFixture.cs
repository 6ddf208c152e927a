using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Redis;

/// <summary>
/// The app model's "cache" resource alone, from the testing builder. <see cref="StopAsync"/> kills redis-server
/// (no clean shutdown) and <see cref="StartAsync"/> starts it again behind the same address, for restart tests.
/// </summary>
public sealed class RedisServerFixture : AppModelFixture, IAsyncDisposable
{
    public string ConnectionString { get; private set; } = string.Empty;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        ConnectionString = await App.GetConnectionStringAsync("cache") ?? throw new InvalidOperationException("No connection string.");
    }

    protected override void Configure(IDistributedApplicationTestingBuilder builder) => builder.KeepOnly("cache");

    /// <summary>
    /// A host wired as the services wire Redis: Aspire's <c>AddRedisClient("cache")</c> on this server's connection
    /// string, connecting in the background (<c>AbortOnConnectFail=false</c>), optionally failing fast as the gateway does.
    /// </summary>
    public IHost CreateServiceHost(bool failFast = false)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = ConnectionString });
        builder.AddRedisClient("cache", configureOptions: options =>
        {
            options.AbortOnConnectFail = false;
            if (failFast)
            {
                options.BacklogPolicy = BacklogPolicy.FailFast;
            }
        });
        return builder.Build();
    }

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
