using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;
using Stox.Jobs.Data;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.Messaging.Contracts;
using Stox.Messaging.RabbitMQ;

namespace Stox.Jobs.Outbox;

/// <summary>
/// Publishes outbox rows to RabbitMQ with publisher confirms and marks them sent only then. Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so several jobs replicas share the work without sending a row twice at once.
/// A broker outage leaves rows unsent; they go out, with back-off, once it is back. Delivery is at least once:
/// a crash between the broker's confirm and the commit sends that row again, which processing tolerates.
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IConnection connection,
    MessagePublisher publisher,
    OutboxSignal signal,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 50;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly ActivitySource Activities = new("Stox.Jobs");

    private bool _topologyDeclared;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            int sent;
            try
            {
                await EnsureTopologyAsync(stoppingToken);
                sent = await DispatchBatchAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                LogDispatchFailed(logger, ex, failures);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(failures, 5)))), time, stoppingToken);
                continue;
            }

            if (sent < BatchSize)
            {
                try
                {
                    await signal.WaitAsync(PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Sends what is due; returns how many rows were sent.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        return await db.InTransactionAsync(async ct =>
        {
            var now = time.GetUtcNow();
            var due = await db.Outbox
                .FromSql($"""
                    SELECT * FROM outbox_messages
                    WHERE "SentAt" IS NULL AND "NextAttemptAt" <= {now}
                    ORDER BY "CreatedAt" LIMIT {BatchSize}
                    FOR UPDATE SKIP LOCKED
                    """)
                .ToListAsync(ct);

            var sent = 0;
            foreach (var message in due)
            {
                try
                {
                    await PublishAsync(message, ct);
                    message.SentAt = time.GetUtcNow();
                    sent++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    message.Attempts++;
                    message.NextAttemptAt = time.GetUtcNow() + Backoff(message.Attempts);
                    message.LastError = ErrorText.Fit(ex.Message);
                    LogPublishFailed(logger, ex, message.Id, message.Attempts);
                    // The broker is likely down: the rest of the batch would fail the same way.
                    break;
                }
            }

            return sent;
        }, cancellationToken);
    }

    private async Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        // Continue the trace of the request that wrote the row.
        using var activity = Activities.StartActivity($"{message.RoutingKey} publish", ActivityKind.Producer, message.TraceParent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.message.id", message.Id.ToString());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        await publisher.PublishAsync(ImageTopology.Exchange, message.RoutingKey, message.Type, Encoding.UTF8.GetBytes(message.Payload), message.Id.ToString(), cancellationToken: timeout.Token);
    }

    private async Task EnsureTopologyAsync(CancellationToken cancellationToken)
    {
        if (_topologyDeclared)
        {
            return;
        }

        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await ImageTopology.DeclareProcessingJobsAsync(channel, cancellationToken);
        _topologyDeclared = true;
    }

    private static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(attempts, 6))));

    [LoggerMessage(EventId = 100, EventName = "OutboxDispatchFailed", Level = LogLevel.Warning, Message = "The outbox dispatcher failed ({Failures} in a row); backing off.")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, int failures);

    [LoggerMessage(EventId = 101, EventName = "OutboxPublishFailed", Level = LogLevel.Warning, Message = "Publishing outbox message {MessageId} failed (attempt {Attempts}); it stays in the outbox.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, Guid messageId, int attempts);
}
