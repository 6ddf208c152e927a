using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Stox.ServiceDefaults.Redis;

/// <summary>
/// The pub/sub side of a <see cref="RedisConnection"/>: its own <see cref="RedisLink"/> (a connection in
/// subscriber mode cannot run other commands), a registry of handlers per channel and pattern, and
/// re-subscription of everything registered each time the link reconnects.
/// </summary>
internal sealed partial class RedisSubscriber : IAsyncDisposable
{
    private readonly RedisConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly RedisLink _link;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, List<Subscription>> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Subscription>> _patterns = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _disposed;

    public RedisSubscriber(RedisConnectionOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _link = new RedisLink(options, logger, "subscription", HandlePush, ResubscribeAsync);
        _link.Start();
    }

    public async Task<IRedisSubscription> SubscribeAsync(
        string name,
        bool pattern,
        Func<string, ReadOnlyMemory<byte>, ValueTask> handler,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposed, this);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var subscription = new Subscription(this, name, pattern, handler);
        try
        {
            bool first;
            lock (_sync)
            {
                var map = pattern ? _patterns : _channels;
                first = !map.TryGetValue(name, out var list);
                if (first)
                {
                    list = [];
                    map[name] = list;
                }

                list!.Add(subscription);
            }

            if (first)
            {
                try
                {
                    var payload = RespEncoder.Encode(pattern ? "PSUBSCRIBE" : "SUBSCRIBE", [name]);
                    await _link.ExecuteAsync(payload, pattern ? "PSUBSCRIBE" : "SUBSCRIBE", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Unregister(subscription);
                    await subscription.StopAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        LogSubscribed(pattern ? "pattern" : "channel", name);
        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _link.DisposeAsync().ConfigureAwait(false);
        Subscription[] all;
        lock (_sync)
        {
            all = [.. _channels.Values.SelectMany(l => l), .. _patterns.Values.SelectMany(l => l)];
            _channels.Clear();
            _patterns.Clear();
        }

        foreach (var subscription in all)
        {
            await subscription.StopAsync().ConfigureAwait(false);
        }

    }

    private async Task UnsubscribeAsync(Subscription subscription)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            await _gate.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            // When not connected nothing is sent: the next connection only re-subscribes what is still registered.
            if (Unregister(subscription) && _link.IsConnected && !_disposed)
            {
                var command = subscription.IsPattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE";
                try
                {
                    await _link.ExecuteAsync(RespEncoder.Encode(command, [subscription.Channel]), command, _options.CommandTimeout, CancellationToken.None)
                        .ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
                {
                    LogUnsubscribeFailed(subscription.Channel, ex.Message);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a subscription; true when it was the last one for its channel or pattern.</summary>
    private bool Unregister(Subscription subscription)
    {
        lock (_sync)
        {
            var map = subscription.IsPattern ? _patterns : _channels;
            if (!map.TryGetValue(subscription.Channel, out var list) || !list.Remove(subscription))
            {
                return false;
            }

            if (list.Count > 0)
            {
                return false;
            }

            map.Remove(subscription.Channel);
            return true;
        }
    }

    private Task ResubscribeAsync(RedisHandshake handshake, CancellationToken cancellationToken)
    {
        List<(string, object[])> commands;
        lock (_sync)
        {
            commands =
            [
                .. _channels.Keys.Select(c => ("SUBSCRIBE", new object[] { c })),
                .. _patterns.Keys.Select(p => ("PSUBSCRIBE", new object[] { p })),
            ];
        }

        return commands.Count == 0 ? Task.CompletedTask : handshake.ExecuteManyAsync(commands, cancellationToken);
    }

    /// <summary>Called by the reader loop for every reply; consumes message pushes.</summary>
    private bool HandlePush(RedisResult reply)
    {
        if (reply.Kind != RedisResultKind.Array || reply.IsNull || reply.Count < 3 || reply[0].Kind != RedisResultKind.BulkString)
        {
            return false;
        }

        var kind = reply[0].AsString();
        string? key;
        string? channel;
        ReadOnlyMemory<byte> payload;
        bool pattern;
        if (kind == "message" && reply.Count == 3)
        {
            key = channel = reply[1].AsString();
            payload = reply[2].Memory;
            pattern = false;
        }
        else if (kind == "pmessage" && reply.Count == 4)
        {
            key = reply[1].AsString();
            channel = reply[2].AsString();
            payload = reply[3].Memory;
            pattern = true;
        }
        else
        {
            return false;
        }

        if (key is null || channel is null)
        {
            return true;
        }

        Subscription[] targets;
        lock (_sync)
        {
            targets = (pattern ? _patterns : _channels).TryGetValue(key, out var list) ? [.. list] : [];
        }

        foreach (var target in targets)
        {
            target.Post(channel, payload);
        }

        return true;
    }

    [LoggerMessage(EventId = 10, EventName = "RedisSubscribed", Level = LogLevel.Debug, Message = "Redis subscribed to {Kind} {Name}")]
    private partial void LogSubscribed(string kind, string name);

    [LoggerMessage(EventId = 11, EventName = "RedisUnsubscribeFailed", Level = LogLevel.Debug, Message = "Redis unsubscribe from {Name} failed: {Error}")]
    private partial void LogUnsubscribeFailed(string name, string error);

    [LoggerMessage(EventId = 12, EventName = "RedisHandlerFailed", Level = LogLevel.Error, Message = "Redis message handler for {Name} failed")]
    private partial void LogHandlerFailed(Exception exception, string name);

    /// <summary>One handler; messages are queued and handed to it one at a time, in order, by its own pump task.</summary>
    private sealed class Subscription : IRedisSubscription
    {
        private static readonly AsyncLocal<Subscription?> Running = new();
        private readonly RedisSubscriber _owner;
        private readonly Func<string, ReadOnlyMemory<byte>, ValueTask> _handler;
        private readonly Channel<(string Name, ReadOnlyMemory<byte> Payload)> _queue =
            System.Threading.Channels.Channel.CreateUnbounded<(string, ReadOnlyMemory<byte>)>(new UnboundedChannelOptions { SingleReader = true });

        private readonly CancellationTokenSource _stop = new();
        private readonly Task _pump;
        private int _disposed;

        public Subscription(RedisSubscriber owner, string channel, bool isPattern, Func<string, ReadOnlyMemory<byte>, ValueTask> handler)
        {
            _owner = owner;
            Channel = channel;
            IsPattern = isPattern;
            _handler = handler;
            _pump = PumpAsync();
        }

        public string Channel { get; }

        public bool IsPattern { get; }

        public void Post(string channel, ReadOnlyMemory<byte> payload) => _queue.Writer.TryWrite((channel, payload));

        public async ValueTask DisposeAsync()
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            await _owner.UnsubscribeAsync(this).ConfigureAwait(false);
            await StopAsync().ConfigureAwait(false);
        }

        public async Task StopAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            _queue.Writer.TryComplete();
            await _stop.CancelAsync().ConfigureAwait(false);

            // A handler that disposes its own subscription must not wait for itself; the pump ends when it returns.
            if (Running.Value != this)
            {
                await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        private async Task PumpAsync()
        {
            await Task.Yield();
            try
            {
                await foreach (var (channel, payload) in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    Running.Value = this;
                    try
                    {
                        await _handler(channel, payload).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        if (!_stop.IsCancellationRequested)
                        {
                            _owner.LogHandlerFailed(ex, Channel);
                        }
                    }
                    finally
                    {
                        Running.Value = null;
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // disposed
            }
        }
    }
}
