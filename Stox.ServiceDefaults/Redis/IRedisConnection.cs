namespace Stox.ServiceDefaults.Redis;

/// <summary>
/// A shared, thread-safe, multiplexed Redis connection (RESP2). Many callers may use it at once; their commands
/// are pipelined on one socket. It reconnects by itself. Typed helpers are in <see cref="RedisConnectionExtensions"/>.
/// </summary>
public interface IRedisConnection : IAsyncDisposable
{
    /// <summary>True while the command connection is established and authenticated.</summary>
    bool IsConnected { get; }

    /// <summary>Runs one command with the default timeout, e.g. <c>ExecuteAsync("HSET", key, field, value)</c>.</summary>
    /// <param name="command">The command name (a single word; pass sub-commands such as <c>SCRIPT FLUSH</c> as arguments).</param>
    /// <param name="args">string (UTF-8), byte[], ReadOnlyMemory&lt;byte&gt;, integers or double.</param>
    /// <exception cref="RedisServerException">Redis answered with an error.</exception>
    /// <exception cref="RedisTimeoutException">No reply within the command timeout.</exception>
    /// <exception cref="RedisConnectionException">Not connected, or the connection was lost before the reply.</exception>
    Task<RedisResult> ExecuteAsync(string command, params object[] args);

    /// <summary>Runs one command with an optional per-call <paramref name="timeout"/> and cancellation.</summary>
    /// <remarks>
    /// Cancellation or timeout before the command is written means it is never sent; after that the server
    /// still runs it and its reply is discarded.
    /// </remarks>
    Task<RedisResult> ExecuteAsync(string command, IReadOnlyList<object> args, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="channel"/> and returns once Redis confirmed it.
    /// The handler gets (channel, payload); it is called for one message at a time, in order. Exceptions it
    /// throws are logged. Dispose the result to unsubscribe.
    /// </summary>
    Task<IRedisSubscription> SubscribeAsync(string channel, Func<string, ReadOnlyMemory<byte>, ValueTask> handler, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="SubscribeAsync"/> for a glob-style pattern (PSUBSCRIBE); the handler gets the actual channel.</summary>
    Task<IRedisSubscription> PatternSubscribeAsync(string pattern, Func<string, ReadOnlyMemory<byte>, ValueTask> handler, CancellationToken cancellationToken = default);
}

/// <summary>An active subscription; disposing it unsubscribes and waits for a running handler call to finish.</summary>
public interface IRedisSubscription : IAsyncDisposable
{
    /// <summary>The channel or pattern.</summary>
    string Channel { get; }

    /// <summary>True for a pattern subscription.</summary>
    bool IsPattern { get; }
}
