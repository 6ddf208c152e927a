using System.IO.Pipelines;
using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stox.Frontend;
using Stox.Frontend.Sessions;
using Stox.Gateway.RateLimiting;
using Stox.Jobs.Live;

namespace Stox.Tests.Redis;

/// <summary>
/// What the services keep in Redis, on a multiplexer wired as theirs (Aspire's AddRedisClient), while redis-server is
/// killed and started again under concurrent use. Each test owns its server, because it kills and restarts it.
/// </summary>
public sealed class RedisRecoveryTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Gateway_rate_limits_keep_counting_through_restarts_under_concurrent_callers()
    {
        await using var server = new RedisServerFixture();
        await server.InitializeAsync();
        using var host = server.CreateServiceHost(failFast: true);
        var limiter = new RedisFixedWindowLimiter(host.Services.GetRequiredService<IConnectionMultiplexer>());
        await UntilAsync(() => limiter.HitAsync("warm-up", 10, TimeSpan.FromMinutes(1), CancellationToken.None));

        // Callers keep hitting while the server dies and comes back; a hit that cannot reach Redis throws (the gateway
        // lets that request through), every other one is counted.
        using var stopCallers = new CancellationTokenSource();
        var failures = 0;
        var counted = 0;
        var callers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            while (!stopCallers.IsCancellationRequested)
            {
                try
                {
                    await limiter.HitAsync($"caller-{i}", 1_000_000, TimeSpan.FromMinutes(5), CancellationToken.None);
                    Interlocked.Increment(ref counted);
                }
                catch (Exception e) when (e is RedisException or RedisTimeoutException)
                {
                    Interlocked.Increment(ref failures);
                    await Task.Delay(10);
                }
            }
        })).ToArray();

        for (var restart = 0; restart < 3; restart++)
        {
            await Task.Delay(300);
            await server.StopAsync();
            await Task.Delay(300);
            await server.StartAsync();
            // The server forgot the script and the counters: the limiter loads the script again by itself.
            var first = await UntilAsync(() => limiter.HitAsync($"after-{restart}", 3, TimeSpan.FromMinutes(1), CancellationToken.None));
            Assert.Equal(new RateLimitDecision(true, 3, 2, first.ResetAfter), first);
        }

        await stopCallers.CancelAsync();
        await Task.WhenAll(callers);
        Assert.True(failures > 0, "no hit saw the server die");
        Assert.True(counted > 0, "no hit was counted");

        // The fixed window still works exactly: three allowed, the fourth refused, across the same key.
        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < 4; i++)
        {
            decisions.Add(await limiter.HitAsync("exact", 3, TimeSpan.FromMinutes(1), CancellationToken.None));
        }

        Assert.Equal([true, true, true, false], decisions.Select(d => d.Allowed));
        Assert.Equal([2, 1, 0, 0], decisions.Select(d => d.Remaining));
        Assert.InRange(decisions[^1].ResetAfter, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Sessions_and_their_refresh_lock_work_again_after_a_restart_under_concurrent_use()
    {
        await using var server = new RedisServerFixture();
        await server.InitializeAsync();
        using var host = server.CreateServiceHost();
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
        var store = new SessionStore(redis, new EphemeralDataProtectionProvider(), Microsoft.Extensions.Options.Options.Create(new FrontendOptions()));

        // Sign-ins and reads from many browsers while the server dies: some fail, none hangs, none is answered wrongly.
        using var stopCallers = new CancellationTokenSource();
        var failures = 0;
        var callers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            while (!stopCallers.IsCancellationRequested)
            {
                try
                {
                    var session = NewSession($"user-{i}");
                    var id = await store.CreateAsync(session);
                    // Null only if the server restarted in between: it keeps nothing on disk here.
                    if (await store.GetAsync(id) is { } read)
                    {
                        Assert.Equal(session, read);
                    }
                }
                catch (Exception e) when (e is RedisException or RedisTimeoutException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        await Task.Delay(300);
        await server.StopAsync();
        await Task.Delay(500);
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        await server.StartAsync();

        var created = await UntilAsync(async () => (string?)await store.CreateAsync(NewSession("after")));
        await stopCallers.CancelAsync();
        await Task.WhenAll(callers);
        Assert.True(failures > 0, "no call saw the server die");

        Assert.Equal("after", (await store.GetAsync(created))?.UserId);
        // One refresh at a time: the lock is taken once, refused while held, free again once released.
        Assert.True(await store.TryLockRefreshAsync(created));
        Assert.False(await store.TryLockRefreshAsync(created));
        await store.ReleaseRefreshAsync(created);
        Assert.True(await store.TryLockRefreshAsync(created));
        // Sign out everywhere ends every session of that user.
        var second = await store.CreateAsync(NewSession("after"));
        await store.DeleteAllAsync("after");
        Assert.Null(await store.GetAsync(created));
        Assert.Null(await store.GetAsync(second));
        Assert.Equal(HealthStatus.Healthy, (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task An_open_event_stream_hears_events_again_after_a_restart_and_a_new_one_resumes_after_its_last_event_id()
    {
        await using var server = new RedisServerFixture();
        await server.InitializeAsync();
        using var host = server.CreateServiceHost();
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
        var broadcaster = new ImageEventBroadcaster(redis, NullLogger<ImageEventBroadcaster>.Instance);
        var userId = Guid.NewGuid();
        var imageId = Guid.NewGuid();
        ImageEvent Event(string status, int progress) => new(imageId, null, status, progress, null, null, DateTimeOffset.UtcNow);

        await using var stream = await SseClient.OpenAsync(redis, userId);
        await UntilAsync(async () =>
        {
            await broadcaster.PublishAsync(userId, Event("pending", 0));
            return await stream.HearAsync("pending", TimeSpan.FromMilliseconds(500));
        });

        await server.StopAsync();
        // Published while Redis is down: lost for live views (the database is the truth), and no exception.
        await broadcaster.PublishAsync(userId, Event("lost", 1));
        await server.StartAsync();

        // The stream's subscription comes back by itself: probes (progress 2..49) until one reaches the open stream.
        var probes = 1;
        var probe = await UntilAsync(async () =>
        {
            await broadcaster.PublishAsync(userId, Event("processing", Math.Min(++probes, 49)));
            return await stream.HearAsync("processing", TimeSpan.FromMilliseconds(500));
        });

        await broadcaster.PublishAsync(userId, Event("processing", 50));
        await broadcaster.PublishAsync(userId, Event("complete", 100));
        var live = await stream.UntilCompleteAsync();
        Assert.DoesNotContain(live, e => e.Status is "lost" or "pending");
        Assert.Equal(live.Select(e => e.Id).Distinct().Count(), live.Count);
        Assert.Equal([50, 100], live.Where(e => e.Progress >= 50).Select(e => e.Progress));

        // A browser that saw the probe reconnects with its id: it gets what came after it, from the stream, then live.
        await using var resumed = await SseClient.OpenAsync(redis, userId, lastEventId: probe.Id);
        var replayed = await resumed.UntilCompleteAsync();
        Assert.DoesNotContain(replayed, e => e.Status is "lost" or "pending" || e.Id == probe.Id);
        Assert.Equal(live.Where(e => e.Progress >= 50), replayed.Where(e => e.Progress >= 50));
        Assert.Null(await resumed.NextAsync(TimeSpan.FromMilliseconds(300)));
    }

    private static UserSession NewSession(string userId) =>
        new(userId, $"{userId}@example.test", null, "user", "free", "access", "refresh", DateTimeOffset.UtcNow.AddMinutes(15), DateTimeOffset.UtcNow);

    /// <summary>Retries <paramref name="attempt"/> until it returns a value without a Redis error (or a null), within a generous time.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T?>> attempt)
    {
        using var deadline = new CancellationTokenSource(Generous);
        while (true)
        {
            try
            {
                if (await attempt() is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    private sealed record SseEvent(string Id, string Data)
    {
        private System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Data).RootElement;

        public string? Status => Json.GetProperty("status").GetString();

        public int Progress => Json.GetProperty("progress").GetInt32();
    }

    /// <summary>Jobs' event-stream endpoint, run in-process on a request of the given user; events are read from its body.</summary>
    private sealed class SseClient : IAsyncDisposable
    {
        private readonly CancellationTokenSource _aborted = new();
        private readonly Pipe _body = new();
        private readonly StreamReader _reader;
        private readonly Task _running;
        private Task<string?>? _pendingLine;

        private SseClient(IConnectionMultiplexer redis, Guid userId, string? lastEventId)
        {
            var context = new DefaultHttpContext
            {
                User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", userId.ToString())], "test")),
                RequestAborted = _aborted.Token,
            };
            if (lastEventId is not null)
            {
                context.Request.Headers["Last-Event-ID"] = lastEventId;
            }

            context.Response.Body = _body.Writer.AsStream();
            _reader = new StreamReader(_body.Reader.AsStream());
            _running = Task.Run(async () =>
            {
                try
                {
                    await ImageEventStream.StreamAsync(context, redis, NullLoggerFactory.Instance);
                }
                finally
                {
                    await _body.Writer.CompleteAsync();
                }
            });
        }

        public static async Task<SseClient> OpenAsync(IConnectionMultiplexer redis, Guid userId, string? lastEventId = null)
        {
            var client = new SseClient(redis, userId, lastEventId);
            // The endpoint writes its retry hint once it has subscribed (and before it replays).
            Assert.Equal("retry: 3000", await client._reader.ReadLineAsync().WaitAsync(Generous));
            return client;
        }

        /// <summary>The next event of <paramref name="status"/> within <paramref name="wait"/> (others are skipped), or null.</summary>
        public async Task<SseEvent?> HearAsync(string status, TimeSpan wait)
        {
            var deadline = DateTime.UtcNow + wait;
            while (deadline - DateTime.UtcNow is { Ticks: > 0 } left)
            {
                if (await NextAsync(left) is not { } next)
                {
                    return null;
                }

                if (next.Status == status)
                {
                    return next;
                }
            }

            return null;
        }

        /// <summary>Events up to and including the first <c>complete</c> one.</summary>
        public async Task<List<SseEvent>> UntilCompleteAsync()
        {
            var events = new List<SseEvent>();
            while (events.Count == 0 || events[^1].Status != "complete")
            {
                events.Add(await NextAsync(Generous) ?? throw new TimeoutException("The stream went quiet."));
            }

            return events;
        }

        /// <summary>The next <c>image</c> event, or null if none comes within <paramref name="wait"/>.</summary>
        public async Task<SseEvent?> NextAsync(TimeSpan wait)
        {
            string? id = null, data = null;
            using var timeout = new CancellationTokenSource(wait);
            while (true)
            {
                _pendingLine ??= _reader.ReadLineAsync();
                try
                {
                    await _pendingLine.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (id is null && data is null)
                {
                    return null;
                }

                var line = await _pendingLine ?? throw new EndOfStreamException("The event stream ended.");
                _pendingLine = null;
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
                else if (line.Length == 0 && data is not null)
                {
                    return new SseEvent(id!, data);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _aborted.CancelAsync();
            await _running.WaitAsync(Generous);
            _reader.Dispose();
            _aborted.Dispose();
        }
    }
}
