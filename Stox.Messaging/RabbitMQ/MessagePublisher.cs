using System.Globalization;
using RabbitMQ.Client;
using Stox.Messaging.Contracts;

namespace Stox.Messaging.RabbitMQ;

/// <summary>
/// Publishes persistent messages with publisher confirms: <see cref="PublishAsync"/> returns only once the
/// broker has taken responsibility for the message (and throws if it refuses it), so a caller such as the
/// outbox can mark a message sent only then.
/// </summary>
public sealed class MessagePublisher(IConnection connection) : IAsyncDisposable
{
    /// <summary>The longest a publish waits for a channel and the broker's confirm before it throws.</summary>
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;

    public Task PublishAsync<T>(string exchange, string routingKey, T message, string messageId, string? correlationId = null, CancellationToken cancellationToken = default)
        where T : notnull =>
        PublishAsync(exchange, routingKey, MessageTypeAttribute.Of<T>(), MessageSerializer.Serialize(message), messageId, correlationId, cancellationToken);

    /// <summary>Publishes a message already serialised as JSON, e.g. one the outbox stored, under its type name.</summary>
    public async Task PublishAsync(string exchange, string routingKey, string type, ReadOnlyMemory<byte> body, string messageId, string? correlationId = null, CancellationToken cancellationToken = default)
    {
        var headers = new Dictionary<string, object?>();
        MessageTracing.Inject(headers);
        var properties = new BasicProperties
        {
            Headers = headers,
            MessageId = messageId,
            CorrelationId = correlationId,
            Type = type,
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
        };

        // A confirm that never comes (the broker went away mid-publish) must not hold the caller forever.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        await _gate.WaitAsync(timeout.Token);
        try
        {
            var channel = await GetChannelAsync(timeout.Token);
            // With confirmation tracking on, this completes when the broker acks (or throws when it nacks or returns).
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, timeout.Token);
        }
        catch (Exception) when (_channel is { IsOpen: false })
        {
            _channel = null;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends a message back to a queue (through the default exchange) with a header, e.g. to retry later.</summary>
    internal async Task RepublishAsync(string queue, IReadOnlyBasicProperties original, ReadOnlyMemory<byte> body, int attempt, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties(original)
        {
            Headers = new Dictionary<string, object?>(original.Headers ?? new Dictionary<string, object?>())
            {
                [MessageHeaders.Attempt] = attempt.ToString(CultureInfo.InvariantCulture),
            },
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        await _gate.WaitAsync(timeout.Token);
        try
        {
            var channel = await GetChannelAsync(timeout.Token);
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body, timeout.Token);
        }
        catch (Exception) when (_channel is { IsOpen: false })
        {
            _channel = null;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        _gate.Dispose();
    }

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true })
        {
            return _channel;
        }

        _channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
        return _channel;
    }
}

public static class MessageHeaders
{
    /// <summary>How many times this message has been handled and scheduled for a retry.</summary>
    public const string Attempt = "x-stox-attempt";
}
