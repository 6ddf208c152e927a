using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Stox.Messaging.RabbitMQ;

public enum MessageOutcome
{
    /// <summary>Done: acknowledge.</summary>
    Completed,

    /// <summary>A transient failure: try again after the queue's next back-off, dead-letter when none is left.</summary>
    RetryLater,

    /// <summary>A permanent failure: never retry; the message goes to the dead-letter queue.</summary>
    DeadLetter,
}

/// <summary>What a handler knows about the delivery it is handling.</summary>
public sealed record MessageContext(string? MessageId, string? CorrelationId, int Attempt, bool Redelivered, int RetriesLeft);

/// <summary>
/// Consumes one queue with manual acknowledgement and a bounded prefetch. A message is acknowledged only
/// after its handler finished; a crash leaves it unacknowledged, so the broker redelivers it to another
/// consumer. Transient failures are retried with back-off through delay queues; permanent ones are
/// dead-lettered. On shutdown it stops taking messages, lets the ones being handled finish and returns the
/// prefetched ones that had not started. Handling continues the publisher's trace (<see cref="MessageTracing"/>).
/// </summary>
public abstract partial class MessageConsumer<TMessage>(
    IConnection connection,
    MessagePublisher publisher,
    ILogger logger) : BackgroundService
{
    private int _running;
    private volatile bool _stopping;

    protected abstract QueueDefinition Queue { get; }

    /// <summary>How many unacknowledged messages this consumer holds at once.</summary>
    protected virtual ushort Prefetch => 4;

    /// <summary>How many messages this consumer handles at once (at most <see cref="Prefetch"/>).</summary>
    protected virtual ushort Concurrency => 1;

    /// <summary>Declares the queue and its bindings; called once before consuming.</summary>
    protected virtual Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        Queue.DeclareAsync(channel, cancellationToken: cancellationToken);

    protected abstract Task<MessageOutcome> HandleAsync(TMessage message, MessageContext context, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false, consumerDispatchConcurrency: Math.Min(Concurrency, Prefetch)),
            stoppingToken);
        await DeclareAsync(channel, stoppingToken);
        await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: Prefetch, global: false, stoppingToken);

        var consumer = new AsyncEventingBasicConsumer(channel);
        // Handlers are not cancelled by shutdown: a message in hand is finished, then acknowledged.
        consumer.ReceivedAsync += (_, delivery) => OnDeliveryAsync(channel, delivery);
        var tag = await channel.BasicConsumeAsync(Queue.Name, autoAck: false, consumer, stoppingToken);
        LogConsuming(logger, Queue.Name, Prefetch, Concurrency);

        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }

        _stopping = true;
        if (channel.IsOpen)
        {
            await channel.BasicCancelAsync(tag, noWait: false, CancellationToken.None);
        }

        while (Volatile.Read(ref _running) > 0)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private async Task OnDeliveryAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref _running);
        try
        {
            if (_stopping)
            {
                // Prefetched but not started: another consumer takes it now rather than after this one's work.
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
                return;
            }

            using var activity = MessageTracing.StartProcessing(Queue.Name, delivery.BasicProperties);
            var attempt = ReadAttempt(delivery.BasicProperties) + 1;
            var context = new MessageContext(
                delivery.BasicProperties.MessageId,
                delivery.BasicProperties.CorrelationId,
                attempt,
                delivery.Redelivered,
                Queue.RetryDelays.Count - (attempt - 1));
            var outcome = await HandleSafelyAsync(delivery, context);
            if (outcome != MessageOutcome.Completed)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome.ToString());
            }

            await SettleAsync(channel, delivery, outcome, attempt);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or OperationCanceledException or PublishException or IOException)
        {
            // The connection went away while the message was in hand: the broker redelivers every message this
            // channel had not acknowledged, so there is nothing to settle; the consumer carries on once recovered.
            LogSettleFailed(logger, ex, Queue.Name, delivery.BasicProperties.MessageId);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private async Task<MessageOutcome> HandleSafelyAsync(BasicDeliverEventArgs delivery, MessageContext context)
    {
        TMessage message;
        try
        {
            message = MessageSerializer.Deserialize<TMessage>(delivery.Body, delivery.BasicProperties.Type);
        }
        catch (InvalidMessageException ex)
        {
            LogInvalidMessage(logger, ex, Queue.Name, context.MessageId);
            return MessageOutcome.DeadLetter;
        }

        try
        {
            return await HandleAsync(message, context, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // An unexpected exception is treated as transient: the back-off gives the cause time to pass.
            LogHandlerFailed(logger, ex, Queue.Name, context.MessageId, context.Attempt);
            return MessageOutcome.RetryLater;
        }
    }

    private async Task SettleAsync(IChannel channel, BasicDeliverEventArgs delivery, MessageOutcome outcome, int attempt)
    {
        if (outcome == MessageOutcome.RetryLater && attempt <= Queue.RetryDelays.Count)
        {
            // Copy to the delay queue first, then acknowledge: a crash in between redelivers, never loses.
            await publisher.RepublishAsync(Queue.RetryQueue(attempt), delivery.BasicProperties, delivery.Body, attempt, CancellationToken.None);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
            return;
        }

        if (outcome == MessageOutcome.Completed)
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
            return;
        }

        // Permanent failure, or no retry left: the queue dead-letters what it is told not to requeue.
        await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false, CancellationToken.None);
    }

    private static int ReadAttempt(IReadOnlyBasicProperties properties) =>
        properties.Headers?.TryGetValue(MessageHeaders.Attempt, out var value) == true && value is byte[] bytes
            && int.TryParse(Encoding.UTF8.GetString(bytes), NumberStyles.None, CultureInfo.InvariantCulture, out var attempt)
            ? attempt
            : 0;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Consuming {Queue} with prefetch {Prefetch}, {Concurrency} at a time.")]
    private static partial void LogConsuming(ILogger logger, string queue, ushort prefetch, ushort concurrency);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "A message on {Queue} ({MessageId}) cannot be read; dead-lettering it.")]
    private static partial void LogInvalidMessage(ILogger logger, Exception exception, string queue, string? messageId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "A message on {Queue} ({MessageId}) could not be settled: the broker connection was lost; it will be redelivered.")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string queue, string? messageId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Handling a message on {Queue} ({MessageId}, attempt {Attempt}) failed.")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string queue, string? messageId, int attempt);
}
