using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stox.ServiceDefaults.Redis;

namespace Stox.Tests.Redis;

/// <summary>Each test owns its server, because it kills and restarts it.</summary>
public sealed class RedisRecoveryTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Commands_and_subscriptions_recover_after_the_server_restarts()
    {
        await using var server = new RedisServerFixture();
        await server.InitializeAsync();
        await using var redis = await server.ConnectAsync("defaultDatabase=1");
        await using var publisher = await server.ConnectAsync();
        var channel = "jobs:" + Guid.NewGuid().ToString("N");
        var inbox = new RedisPubSubTests.Inbox();
        await using var subscription = await redis.SubscribeAsync(channel, inbox.Handle);
        Assert.Equal(1, await publisher.PublishAsync(channel, "before"));
        Assert.Equal((channel, "before"), await inbox.NextAsync());

        // A command in flight when the server dies fails with a connection error.
        var blocked = redis.ExecuteAsync("BLPOP", ["never", 30], TimeSpan.FromSeconds(60));
        await WaitForBlockedClientAsync(publisher);
        await server.StopAsync();
        var lost = await Assert.ThrowsAsync<RedisConnectionException>(() => blocked.WaitAsync(Generous));
        Assert.Contains("lost", lost.Message, StringComparison.Ordinal);
        Assert.False(redis.IsConnected);

        // While it is down: commands wait for their timeout, then fail with a connection error; health is Unhealthy.
        await Assert.ThrowsAsync<RedisConnectionException>(() => redis.ExecuteAsync("PING", [], TimeSpan.FromMilliseconds(300)));
        var health = await new RedisHealthCheck(redis, TimeSpan.FromMilliseconds(300)).CheckHealthAsync(
            new HealthCheckContext { Registration = new HealthCheckRegistration("cache", _ => null!, HealthStatus.Unhealthy, null) });
        Assert.Equal(HealthStatus.Unhealthy, health.Status);

        // A command issued while down with a long enough timeout is sent once the server is back.
        var queued = redis.ExecuteAsync("ECHO", ["queued"], Generous);
        await server.StartAsync();
        Assert.Equal("queued", (await queued).AsString());

        // New commands just work, on the configured database.
        await redis.StringSetAsync("after", "restart");
        Assert.Equal("restart", await redis.StringGetAsync("after"));
        Assert.Null(await publisher.StringGetAsync("after"));
        Assert.True(redis.IsConnected);

        // The subscription is re-established by itself (the subscriber connection reconnects in the background).
        using var deadline = new CancellationTokenSource(Generous);
        while (await publisher.PublishAsync(channel, "probe", deadline.Token) == 0)
        {
            await Task.Delay(50, deadline.Token);
        }

        Assert.Equal(1, await publisher.PublishAsync(channel, "after"));
        (string, string) message;
        do
        {
            message = await inbox.NextAsync();
        }
        while (message.Item2 == "probe");
        Assert.Equal((channel, "after"), message);
    }

    [Fact]
    public async Task Many_concurrent_callers_survive_a_restart()
    {
        await using var server = new RedisServerFixture();
        await server.InitializeAsync();
        await using var redis = await server.ConnectAsync();
        await server.StopAsync();
        using (var deadline = new CancellationTokenSource(Generous))
        {
            while (redis.IsConnected)
            {
                await Task.Delay(10, deadline.Token);
            }
        }

        // Issued while down: they wait in the queue and are sent once the server is back.
        var calls = Enumerable.Range(0, 100)
            .Select(i => Task.Run(() => redis.ExecuteAsync("ECHO", [$"m{i}"], Generous)))
            .ToArray();
        await server.StartAsync();
        var results = await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"m{i}"), results.Select(r => r.AsString()));
    }

    [Fact]
    public async Task The_connection_comes_back_each_time_the_server_dies_under_a_stream_of_commands()
    {
        await using var server = new RedisServerFixture();
        await server.InitializeAsync();
        await using var redis = await server.ConnectAsync();

        // Callers keep the writer busy, so the server dies while commands are half written or not yet flushed.
        using var stopCallers = new CancellationTokenSource();
        var failures = 0;
        var callers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var payload = new string('x', 4096 * (i + 1));
            while (!stopCallers.IsCancellationRequested)
            {
                try
                {
                    Assert.Equal(payload, (await redis.ExecuteAsync("ECHO", [payload], TimeSpan.FromSeconds(1))).AsString());
                }
                catch (RedisException e) when (e is RedisConnectionException or RedisTimeoutException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        for (var restart = 0; restart < 10; restart++)
        {
            await Task.Delay(200);
            await server.StopAsync();
            await Task.Delay(300);
            await server.StartAsync();
            Assert.Equal("back", (await redis.ExecuteAsync("ECHO", ["back"], Generous)).AsString());
        }

        await stopCallers.CancelAsync();
        await Task.WhenAll(callers);
        Assert.True(failures > 0, "no command saw the server die");
    }

    private static async Task WaitForBlockedClientAsync(RedisConnection observer)
    {
        using var deadline = new CancellationTokenSource(Generous);
        while (true)
        {
            var info = (await observer.ExecuteAsync("INFO", ["clients"], null, deadline.Token)).AsString()!;
            if (info.Contains("blocked_clients:1", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}
