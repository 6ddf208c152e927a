using System.Text;
using System.Threading.Channels;
using Stox.ServiceDefaults.Redis;

namespace Stox.Tests.Redis;

public sealed class RedisPubSubTests : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    internal static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private readonly RedisServerFixture _server;
    private RedisConnection _subscriber = null!;
    private RedisConnection _publisher = null!;

    public RedisPubSubTests(RedisServerFixture server) => _server = server;

    public async Task InitializeAsync()
    {
        _subscriber = await _server.ConnectAsync();
        _publisher = await _server.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        await _subscriber.DisposeAsync();
        await _publisher.DisposeAsync();
    }

    private static string NewChannel() => "jobs:status:" + Guid.NewGuid().ToString("N");

    /// <summary>A handler that records (channel, text) into a channel the test reads from.</summary>
    internal sealed class Inbox
    {
        private readonly Channel<(string Channel, string Message)> _items = Channel.CreateUnbounded<(string, string)>();

        public ValueTask Handle(string channel, ReadOnlyMemory<byte> message)
        {
            _items.Writer.TryWrite((channel, Encoding.UTF8.GetString(message.Span)));
            return ValueTask.CompletedTask;
        }

        public async Task<(string Channel, string Message)> NextAsync() => await _items.Reader.ReadAsync().AsTask().WaitAsync(Generous);

        public bool TryNext(out (string Channel, string Message) item) => _items.Reader.TryRead(out item);
    }

    [Fact]
    public async Task Publish_reaches_a_subscriber_in_order()
    {
        var channel = NewChannel();
        var inbox = new Inbox();
        await using var subscription = await _subscriber.SubscribeAsync(channel, inbox.Handle);
        Assert.Equal(channel, subscription.Channel);
        Assert.False(subscription.IsPattern);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(1, await _publisher.PublishAsync(channel, $"m{i}"));
        }

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal((channel, $"m{i}"), await inbox.NextAsync());
        }

        // Commands on the same RedisConnection keep working while it has subscriptions.
        Assert.Equal("PONG", (await _subscriber.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task Two_subscribers_on_two_connections_and_two_handlers_on_one_all_receive()
    {
        var channel = NewChannel();
        await using var other = await _server.ConnectAsync();
        var a = new Inbox();
        var b = new Inbox();
        var c = new Inbox();
        await using var sa = await _subscriber.SubscribeAsync(channel, a.Handle);
        await using var sb = await _subscriber.SubscribeAsync(channel, b.Handle);
        await using var sc = await other.SubscribeAsync(channel, c.Handle);

        Assert.Equal(2, await _publisher.PublishAsync(channel, "hello")); // two connections subscribed
        Assert.Equal((channel, "hello"), await a.NextAsync());
        Assert.Equal((channel, "hello"), await b.NextAsync());
        Assert.Equal((channel, "hello"), await c.NextAsync());

        // Disposing one of two handlers keeps the channel subscribed for the other.
        await sa.DisposeAsync();
        Assert.Equal(2, await _publisher.PublishAsync(channel, "again"));
        Assert.Equal((channel, "again"), await b.NextAsync());
        Assert.False(a.TryNext(out _));
    }

    [Fact]
    public async Task Binary_payloads_and_pattern_subscriptions()
    {
        var prefix = "img:" + Guid.NewGuid().ToString("N");
        var received = Channel.CreateUnbounded<(string, byte[])>();
        await using var subscription = await _subscriber.PatternSubscribeAsync(prefix + ":*", (ch, msg) =>
        {
            received.Writer.TryWrite((ch, msg.ToArray()));
            return ValueTask.CompletedTask;
        });
        Assert.True(subscription.IsPattern);

        byte[] payload = [0, 1, 13, 10, 255, 42];
        Assert.Equal(1, await _publisher.PublishAsync(prefix + ":7", payload));
        var (channel, message) = await received.Reader.ReadAsync().AsTask().WaitAsync(Generous);
        Assert.Equal(prefix + ":7", channel);
        Assert.Equal(payload, message);
    }

    [Fact]
    public async Task Dispose_unsubscribes()
    {
        var channel = NewChannel();
        var inbox = new Inbox();
        var subscription = await _subscriber.SubscribeAsync(channel, inbox.Handle);
        Assert.Equal(1, (await _publisher.ExecuteAsync("PUBSUB", "NUMSUB", channel))[1].AsInt64());

        await subscription.DisposeAsync();
        Assert.Equal(0, (await _publisher.ExecuteAsync("PUBSUB", "NUMSUB", channel))[1].AsInt64());
        Assert.Equal(0, await _publisher.PublishAsync(channel, "nobody"));
        Assert.False(inbox.TryNext(out _));
        await subscription.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task A_failing_handler_does_not_stop_the_subscription()
    {
        var channel = NewChannel();
        var inbox = new Inbox();
        await using var subscription = await _subscriber.SubscribeAsync(channel, (ch, msg) =>
            Encoding.UTF8.GetString(msg.Span) == "bad" ? throw new InvalidOperationException("handler bug") : inbox.Handle(ch, msg));

        await _publisher.PublishAsync(channel, "bad");
        await _publisher.PublishAsync(channel, "good");
        Assert.Equal((channel, "good"), await inbox.NextAsync());
    }

    [Fact]
    public async Task A_handler_may_dispose_its_own_subscription()
    {
        var channel = NewChannel();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IRedisSubscription? subscription = null;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription = await _subscriber.SubscribeAsync(channel, async (_, _) =>
        {
            await ready.Task;
            await subscription!.DisposeAsync();
            done.TrySetResult();
        });
        ready.SetResult();
        await _publisher.PublishAsync(channel, "stop");
        await done.Task.WaitAsync(Generous);
        Assert.Equal(0, (await _publisher.ExecuteAsync("PUBSUB", "NUMSUB", channel))[1].AsInt64());
    }
}
