using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Stox.ServiceDefaults.Redis;

/// <summary>
/// One logical Redis connection that survives server restarts: a supervisor task connects (TCP, optional TLS,
/// AUTH, SELECT, CLIENT SETNAME, then an optional hook), runs a writer loop and a reader loop until the socket
/// fails, fails the commands that were in flight, waits with exponential back-off and connects again.
/// Commands wait in an unbounded queue while disconnected and are sent once connected (bounded by their timeout).
/// Replies are matched to commands in FIFO order.
/// </summary>
internal sealed partial class RedisLink : IAsyncDisposable
{
    private readonly RedisConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly string _role;
    private readonly Func<RedisResult, bool>? _pushHandler;
    private readonly Func<RedisHandshake, CancellationToken, Task>? _afterConnect;
    private readonly Channel<PendingCommand> _outbox = Channel.CreateUnbounded<PendingCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<PendingCommand> _inFlight = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<Exception?> _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _supervisor;
    private volatile bool _connected;
    private volatile Exception? _lastError;
    private int _disposed;

    public RedisLink(
        RedisConnectionOptions options,
        ILogger logger,
        string role,
        Func<RedisResult, bool>? pushHandler = null,
        Func<RedisHandshake, CancellationToken, Task>? afterConnect = null)
    {
        _options = options;
        _logger = logger;
        _role = role;
        _pushHandler = pushHandler;
        _afterConnect = afterConnect;
    }

    public bool IsConnected => _connected;

    /// <summary>Completes after the first connection attempt: null on success, else its error.</summary>
    public Task<Exception?> FirstAttempt => _firstAttempt.Task;

    public void Start() => _supervisor = SuperviseAsync(_stop.Token);

    public async Task<RedisResult> ExecuteAsync(byte[] payload, string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(RedisConnection));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingCommand(payload);
        if (!_outbox.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(RedisConnection));
        }

        try
        {
            return await pending.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            if (!pending.TrySetCanceled())
            {
                return await pending.Task.ConfigureAwait(false); // completed at the same moment: use its outcome
            }

            // Still queued (never sent) or sent without a reply yet: the reply, if any, is matched and dropped later.
            if (!_connected)
            {
                throw new RedisConnectionException(
                    $"Redis command {command} was not sent within {timeout.TotalMilliseconds:0} ms: not connected to {_options.EndPoint}" +
                    (_lastError is { } e ? $" (last error: {e.Message})" : "."),
                    _lastError);
            }

            throw new RedisTimeoutException($"Redis command {command} got no reply from {_options.EndPoint} within {timeout.TotalMilliseconds:0} ms.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            pending.TrySetCanceled(cancellationToken);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _outbox.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var disposed = new ObjectDisposedException(nameof(RedisConnection), "The Redis connection was disposed.");
        while (_outbox.Reader.TryRead(out var pending))
        {
            pending.TrySetException(disposed);
        }

        FailInFlight(disposed);
        _firstAttempt.TrySetResult(disposed);
        _stop.Dispose();
    }

    private async Task SuperviseAsync(CancellationToken stop)
    {
        var attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            Wire? wire = null;
            try
            {
                wire = await ConnectAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _lastError = ex;
                var delay = Backoff(attempt++);
                LogConnectFailed(_role, _options.EndPoint, attempt, delay.TotalMilliseconds, ex.Message);
                _firstAttempt.TrySetResult(ex);
                try
                {
                    await Task.Delay(delay, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            attempt = 0;
            _lastError = null;
            LogConnected(_role, _options.EndPoint);
            Exception? error;
            try
            {
                error = await RunConnectedAsync(wire, stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // Whatever went wrong with this connection, the supervisor lives on and connects again.
                _connected = false;
                error = ex;
                FailInFlight(new RedisConnectionException($"The connection to Redis at {_options.EndPoint} failed: {ex.Message}", ex));
            }

            if (!stop.IsCancellationRequested)
            {
                _lastError = error;
                LogConnectionLost(_role, _options.EndPoint, error?.Message ?? "closed");
            }
        }
    }

    private async Task<Exception?> RunConnectedAsync(Wire wire, CancellationToken stop)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _connected = true;
        _firstAttempt.TrySetResult(null);
        var reader = ReadLoopAsync(wire, session.Token);
        var writer = WriteLoopAsync(wire, session.Token);
        var first = await Task.WhenAny(reader, writer).ConfigureAwait(false);
        await session.CancelAsync().ConfigureAwait(false);
        await wire.CloseAsync().ConfigureAwait(false);
        await Task.WhenAll(reader, writer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // Only once the writer has stopped: a command issued after IsConnected turns false then always waits for the
        // next connection, and is never written to this dead one and failed.
        _connected = false;
        await wire.DisposeAsync().ConfigureAwait(false);

        var error = first.Exception?.GetBaseException()
            ?? (first == reader && !stop.IsCancellationRequested ? new RedisConnectionException("The server closed the connection.") : null);
        FailInFlight(stop.IsCancellationRequested
            ? new ObjectDisposedException(nameof(RedisConnection), "The Redis connection was disposed.")
            : new RedisConnectionException($"The connection to Redis at {_options.EndPoint} was lost before the reply arrived: {error?.Message ?? "closed"}", error));
        return error;
    }

    private void FailInFlight(Exception error)
    {
        while (_inFlight.TryDequeue(out var pending))
        {
            pending.TrySetException(error);
        }
    }

    private async Task WriteLoopAsync(Wire wire, CancellationToken cancellationToken)
    {
        var outbox = _outbox.Reader;
        while (await outbox.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (outbox.TryRead(out var pending))
            {
                if (pending.Task.IsCompleted)
                {
                    continue; // cancelled or timed out before it was sent: never send it
                }

                // Enqueue before writing so the reader can never see a reply without its command.
                _inFlight.Enqueue(pending);
                wire.Writer.Write(pending.Payload);
                if (wire.Writer.UnflushedBytes > 64 * 1024)
                {
                    await wire.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await wire.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync(Wire wire, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await wire.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            var consumed = DispatchReplies(buffer);
            wire.Reader.AdvanceTo(consumed, buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                return;
            }
        }
    }

    private SequencePosition DispatchReplies(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        var consumed = reader.Position;
        while (RespParser.TryParse(ref reader, out var reply))
        {
            consumed = reader.Position;
            if (_pushHandler?.Invoke(reply!) == true)
            {
                continue;
            }

            if (!_inFlight.TryDequeue(out var pending))
            {
                throw new RedisProtocolException($"Redis sent a reply nobody asked for: {reply}");
            }

            if (reply!.Kind == RedisResultKind.Error)
            {
                pending.TrySetException(new RedisServerException(reply.AsString() ?? "ERR"));
            }
            else
            {
                pending.TrySetResult(reply);
            }
        }

        return consumed;
    }

    private async Task<Wire> ConnectAsync(CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            // TCP keep-alive notices a silently dead peer (no RST) within about a minute, also on the
            // subscriber connection, which only ever reads.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 4);
            try
            {
                await socket.ConnectAsync(_options.Host, _options.Port, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                throw new RedisConnectionException($"Timed out connecting to Redis at {_options.EndPoint} after {_options.ConnectTimeout.TotalMilliseconds:0} ms.");
            }

            stream = new NetworkStream(socket, ownsSocket: true);
            if (_options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions { TargetHost = _options.SslHost ?? _options.Host },
                    timeout.Token).ConfigureAwait(false);
            }

            var wire = new Wire(stream);
            try
            {
                var handshake = new RedisHandshake(wire, _pushHandler, _options.EndPoint);
                await HandshakeAsync(handshake, timeout.Token, stop).ConfigureAwait(false);
                return wire;
            }
            catch
            {
                await wire.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    private async Task HandshakeAsync(RedisHandshake handshake, CancellationToken timeout, CancellationToken stop)
    {
        try
        {
            if (_options.Password is not null)
            {
                object[] auth = _options.User is null ? [_options.Password] : [_options.User, _options.Password];
                await handshake.ExecuteAsync("AUTH", auth, timeout).ConfigureAwait(false);
            }

            if (_options.DefaultDatabase != 0)
            {
                await handshake.ExecuteAsync("SELECT", [_options.DefaultDatabase], timeout).ConfigureAwait(false);
            }

            if (_options.ClientName is not null)
            {
                await handshake.ExecuteAsync("CLIENT", ["SETNAME", _options.ClientName], timeout).ConfigureAwait(false);
            }

            if (_afterConnect is not null)
            {
                await _afterConnect(handshake, timeout).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new RedisConnectionException($"Timed out during the handshake with Redis at {_options.EndPoint}.");
        }
        catch (RedisServerException ex)
        {
            throw new RedisConnectionException($"Redis at {_options.EndPoint} refused the connection handshake: {ex.Message}", ex);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var min = _options.ReconnectMinDelay.TotalMilliseconds;
        var max = Math.Max(min, _options.ReconnectMaxDelay.TotalMilliseconds);
        var delay = Math.Min(max, min * Math.Pow(2, Math.Min(attempt, 20)));
#pragma warning disable CA5394 // jitter needs no cryptographic randomness
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(Math.Min(max, delay * jitter));
    }

    [LoggerMessage(EventId = 1, EventName = "RedisConnected", Level = LogLevel.Information, Message = "Redis {Role} connection to {EndPoint} established")]
    private partial void LogConnected(string role, string endPoint);

    [LoggerMessage(EventId = 2, EventName = "RedisConnectFailed", Level = LogLevel.Warning, Message = "Redis {Role} connection to {EndPoint} failed (attempt {Attempt}); retrying in {DelayMs:0} ms: {Error}")]
    private partial void LogConnectFailed(string role, string endPoint, int attempt, double delayMs, string error);

    [LoggerMessage(EventId = 3, EventName = "RedisConnectionLost", Level = LogLevel.Warning, Message = "Redis {Role} connection to {EndPoint} lost: {Error}")]
    private partial void LogConnectionLost(string role, string endPoint, string error);

    private sealed class PendingCommand(byte[] payload) : TaskCompletionSource<RedisResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public byte[] Payload { get; } = payload;
    }
}

/// <summary>A connected stream with its pipe reader and writer.</summary>
internal sealed class Wire(Stream stream) : IAsyncDisposable
{
    public PipeReader Reader { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));

    public PipeWriter Writer { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));

    /// <summary>Closes the stream, which unblocks a pending read or write on another task.</summary>
    public ValueTask CloseAsync() => stream.DisposeAsync();

    /// <summary>Closes the stream and completes the pipes; call only when no loop uses them any more.</summary>
    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync().ConfigureAwait(false);
        await Reader.CompleteAsync().ConfigureAwait(false);

        // Completing with an error drops bytes never flushed; without one, the writer would flush them to the closed
        // stream and throw ObjectDisposedException.
        await Writer.CompleteAsync(new IOException("The connection was closed.")).ConfigureAwait(false);
    }
}

/// <summary>Sends commands and reads their replies on a fresh connection before the loops start (AUTH, SELECT, re-SUBSCRIBE).</summary>
internal sealed class RedisHandshake
{
    private readonly Wire _wire;
    private readonly Func<RedisResult, bool>? _pushHandler;
    private readonly string _endPoint;

    internal RedisHandshake(Wire wire, Func<RedisResult, bool>? pushHandler, string endPoint)
    {
        _wire = wire;
        _pushHandler = pushHandler;
        _endPoint = endPoint;
    }

    /// <summary>Sends several commands in one flush and returns their replies in order; error replies throw.</summary>
    public async Task<IReadOnlyList<RedisResult>> ExecuteManyAsync(IReadOnlyList<(string Command, object[] Args)> commands, CancellationToken cancellationToken)
    {
        foreach (var (command, args) in commands)
        {
            _wire.Writer.Write(RespEncoder.Encode(command, args));
        }

        await _wire.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        var replies = new List<RedisResult>(commands.Count);
        while (replies.Count < commands.Count)
        {
            var read = await _wire.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var consumed = Parse(read.Buffer, replies, commands.Count);
            _wire.Reader.AdvanceTo(consumed, read.Buffer.End);
            if (replies.Count < commands.Count && read.IsCompleted)
            {
                throw new RedisConnectionException($"Redis at {_endPoint} closed the connection during the handshake.");
            }
        }

        var error = replies.FirstOrDefault(r => r.Kind == RedisResultKind.Error);
        return error is null ? replies : throw new RedisServerException(error.AsString() ?? "ERR");
    }

    public async Task<RedisResult> ExecuteAsync(string command, object[] args, CancellationToken cancellationToken) =>
        (await ExecuteManyAsync([(command, args)], cancellationToken).ConfigureAwait(false))[0];

    private SequencePosition Parse(ReadOnlySequence<byte> buffer, List<RedisResult> replies, int wanted)
    {
        var reader = new SequenceReader<byte>(buffer);
        var consumed = reader.Position;
        while (replies.Count < wanted && RespParser.TryParse(ref reader, out var reply))
        {
            consumed = reader.Position;
            if (_pushHandler?.Invoke(reply!) != true)
            {
                replies.Add(reply!);
            }
        }

        return consumed;
    }
}
