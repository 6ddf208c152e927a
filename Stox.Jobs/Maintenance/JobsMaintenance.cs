using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stox.Jobs.Data;
using Stox.Jobs.Generations;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.Jobs.Live;

namespace Stox.Jobs.Maintenance;

/// <summary>
/// The jobs service's housekeeping, on every replica (rows are claimed with SKIP LOCKED, so replicas never do the
/// same work twice): stuck jobs are sent again or failed, stuck generations are given up and refunded, storage
/// deletions are carried out, pre-signed uploads never completed are dropped, and old outbox rows and idempotency
/// keys are purged.
/// </summary>
public sealed partial class JobsMaintenance(
    IServiceScopeFactory scopes,
    StorageCleanup cleanup,
    StorageDeletionSignal deletions,
    OutboxSignal outbox,
    ImageEventBroadcaster broadcaster,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<JobsMaintenance> logger) : BackgroundService
{
    private static readonly TimeSpan SentOutboxRetention = TimeSpan.FromDays(7);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
                while (await cleanup.RunDueAsync(db, stoppingToken) > 0)
                {
                }

                if (time.GetUtcNow() >= nextSweep)
                {
                    await RequeueStuckJobsAsync(db, stoppingToken);
                    await scope.ServiceProvider.GetRequiredService<StuckGenerations>().GiveUpAsync(stoppingToken);
                    await DropAbandonedUploadsAsync(db, stoppingToken);
                    await PurgeAsync(db, stoppingToken);
                    nextSweep = time.GetUtcNow() + options.Value.MaintenanceInterval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogMaintenanceFailed(logger, ex);
            }

            try
            {
                await deletions.WaitAsync(options.Value.MaintenanceInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// A job in processing whose worker has been silent past <see cref="JobsOptions.StuckJobTimeout"/> (its worker
    /// died and the broker's redelivery did not happen, or its completion was lost) is sent again, up to
    /// <see cref="JobsOptions.MaxRequeues"/> times; then it fails with a message a person can read.
    /// </summary>
    public async Task<int> RequeueStuckJobsAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var changes = new List<(Guid UserId, ImageEvent Event)>();
        var requeued = await db.InTransactionAsync(async ct =>
        {
            changes.Clear();
            var now = time.GetUtcNow();
            var silentSince = now - o.StuckJobTimeout;
            var stuck = await db.Jobs
                .FromSql($"""
                    SELECT * FROM image_jobs
                    WHERE "Status" = 'processing' AND "LastHeartbeatAt" < {silentSince}
                    ORDER BY "LastHeartbeatAt" LIMIT 20 FOR UPDATE SKIP LOCKED
                    """)
                .ToListAsync(ct);
            foreach (var job in stuck)
            {
                var image = await db.LockImageAsync(job.ImageId, ct);
                if (image is null)
                {
                    continue;
                }

                if (job.Requeues >= o.MaxRequeues)
                {
                    var error = $"Processing stopped responding {job.Requeues + 1} times while handling this image; it was given up. Try reprocessing it.";
                    if (JobEventHandler.Fail(image, job, error, now) is { } failed)
                    {
                        changes.Add((image.UserId, failed));
                    }

                    LogJobFailedStuck(logger, job.Id, job.Requeues);
                    continue;
                }

                job.Requeues++;
                job.Status = ImageStatus.Pending;
                job.LastHeartbeatAt = now;
                JobStarter.Request(db, job, image, now);
                if (image.CurrentJobId == job.Id)
                {
                    image.Status = ImageStatus.Pending;
                    image.UpdatedAt = now;
                    changes.Add((image.UserId, new ImageEvent(image.Id, job.Id, ImageStatus.Pending, image.Progress, "requeued", null, now)));
                }

                LogJobRequeued(logger, job.Id, job.Requeues);
            }

            return stuck.Count;
        }, cancellationToken);

        if (requeued > 0)
        {
            outbox.Notify();
        }

        foreach (var (userId, change) in changes)
        {
            await broadcaster.PublishAsync(userId, change, cancellationToken);
        }

        return requeued;
    }

    private async Task DropAbandonedUploadsAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.PresignedUploadLifetime - TimeSpan.FromHours(1);
        var dropped = await db.InTransactionAsync(async ct =>
        {
            var abandoned = await db.Images
                .FromSql($"""
                    SELECT * FROM images WHERE "Status" = 'awaiting-upload' AND "UpdatedAt" < {cutoff}
                    LIMIT 100 FOR UPDATE SKIP LOCKED
                    """)
                .ToListAsync(ct);
            foreach (var image in abandoned)
            {
                db.StorageDeletions.Add(StorageCleanup.For([image.OriginalKey], time.GetUtcNow()));
                db.Images.Remove(image);
            }

            return abandoned.Count;
        }, cancellationToken);
        if (dropped > 0)
        {
            deletions.Notify();
        }
    }

    private async Task PurgeAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sentBefore = now - SentOutboxRetention;
        var claimedBefore = now - options.Value.IdempotencyKeyLifetime;
        await db.Database.ExecuteSqlAsync($"""DELETE FROM outbox_messages WHERE "SentAt" < {sentBefore}""", cancellationToken);
        await db.Database.ExecuteSqlAsync($"""DELETE FROM idempotency_keys WHERE "CreatedAt" < {claimedBefore}""", cancellationToken);
    }

    [LoggerMessage(EventId = 500, EventName = "MaintenanceFailed", Level = LogLevel.Warning, Message = "A maintenance pass failed; the next one retries.")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 501, EventName = "StuckJobRequeued", Level = LogLevel.Warning, Message = "Job {JobId} had no worker heartbeat; sent again (requeue {Requeues}).")]
    private static partial void LogJobRequeued(ILogger logger, Guid jobId, int requeues);

    [LoggerMessage(EventId = 502, EventName = "StuckJobFailed", Level = LogLevel.Error, Message = "Job {JobId} stayed stuck after {Requeues} requeues; marked failed.")]
    private static partial void LogJobFailedStuck(ILogger logger, Guid jobId, int requeues);
}
