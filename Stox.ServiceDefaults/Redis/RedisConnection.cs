using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stox.ServiceDefaults.Redis;

/// <summary>
/// The <see cref="IRedisConnection"/> implementation. Create it with <see cref="ConnectAsync(RedisConnectionOptions, ILogger?, CancellationToken)"/>
/// (waits for the first connection) or <see cref="Create"/> (connects in the background; commands wait for the
/// connection up to their timeout). Either way a supervisor task owned by the instance keeps it connected until
/// <see cref="DisposeAsync"/>. Pub/sub uses a second connection, opened on the first subscription.
/// </summary>
public sealed class RedisConnection : IRedisConnection
{
    // Commands that would change the state of the shared connection for every caller, or break reply matching.
    private static readonly HashSet<string> Refused = new(StringComparer.OrdinalIgnoreCase)
    {
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
        "MONITOR", "QUIT", "RESET", "SELECT", "HELLO", "AUTH", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH",
    };

    private readonly ILogger _logger;
    private readonly RedisLink _link;
    private readonly Lock _sync = new();
    private RedisSubscriber? _subscriber;
    private int _disposed;

    private RedisConnection(RedisConnectionOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        _link = new RedisLink(Options, _logger, "command");
    }

    /// <summary>The options in use (a copy; the password is never printed by its ToString).</summary>
    public RedisConnectionOptions Options { get; }

    /// <inheritdoc />
    public bool IsConnected => _link.IsConnected;

    /// <summary>
    /// Starts a connection and returns at once; it connects in the background and reconnects forever.
    /// Connection problems surface as <see cref="RedisConnectionException"/> from commands. Suited to DI singletons.
    /// </summary>
    public static RedisConnection Create(RedisConnectionOptions options, ILogger? logger = null)
    {
        var connection = new RedisConnection(options, logger);
        connection._link.Start();
        return connection;
    }

    /// <summary>
    /// Starts a connection and waits for the first attempt. If it fails and <see cref="RedisConnectionOptions.AbortOnConnectFail"/>
    /// is true, throws <see cref="RedisConnectionException"/> (with Redis' message for a refused AUTH); otherwise returns a
    /// connection that keeps trying in the background.
    /// </summary>
    public static async Task<RedisConnection> ConnectAsync(RedisConnectionOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var connection = Create(options, logger);
        try
        {
            var error = await connection._link.FirstAttempt.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (error is not null && connection.Options.AbortOnConnectFail)
            {
                throw error as RedisConnectionException
                    ?? new RedisConnectionException($"Could not connect to Redis at {connection.Options.EndPoint}: {error.Message}", error);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Parses <paramref name="connectionString"/> and calls <see cref="ConnectAsync(RedisConnectionOptions, ILogger?, CancellationToken)"/>.</summary>
    public static Task<RedisConnection> ConnectAsync(string connectionString, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(RedisConnectionOptions.Parse(connectionString), logger, cancellationToken);

    /// <inheritdoc />
    public Task<RedisResult> ExecuteAsync(string command, params object[] args) =>
        ExecuteAsync(command, (IReadOnlyList<object>)args, null, CancellationToken.None);

    /// <inheritdoc />
    public Task<RedisResult> ExecuteAsync(string command, IReadOnlyList<object> args, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(args);
        if (Refused.Contains(command))
        {
            throw new ArgumentException(
                $"{command.ToUpperInvariant()} is not allowed on the shared connection (use SubscribeAsync for pub/sub, Lua scripts instead of MULTI/EXEC, defaultDatabase instead of SELECT).",
                nameof(command));
        }

        if (string.Equals(command, "CLIENT", StringComparison.OrdinalIgnoreCase) && args.Count > 0 && args[0] is string sub
            && string.Equals(sub, "REPLY", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("CLIENT REPLY would break reply matching on the shared connection.", nameof(args));
        }

        if (timeout is { } t && t <= TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), "The timeout must be positive.");
        }

        var payload = RespEncoder.Encode(command, args);
        return _link.ExecuteAsync(payload, command.ToUpperInvariant(), timeout ?? Options.CommandTimeout, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IRedisSubscription> SubscribeAsync(string channel, Func<string, ReadOnlyMemory<byte>, ValueTask> handler, CancellationToken cancellationToken = default) =>
        GetSubscriber().SubscribeAsync(channel, pattern: false, handler, cancellationToken);

    /// <inheritdoc />
    public Task<IRedisSubscription> PatternSubscribeAsync(string pattern, Func<string, ReadOnlyMemory<byte>, ValueTask> handler, CancellationToken cancellationToken = default) =>
        GetSubscriber().SubscribeAsync(pattern, pattern: true, handler, cancellationToken);

    /// <summary>Stops reconnecting, fails commands still waiting, ends all subscriptions and closes both sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        RedisSubscriber? subscriber;
        lock (_sync)
        {
            subscriber = _subscriber;
        }

        if (subscriber is not null)
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
        }

        await _link.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"RedisConnection({Options})";

    private RedisSubscriber GetSubscriber()
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _subscriber ??= new RedisSubscriber(Options, _logger);
        }
    }
}
