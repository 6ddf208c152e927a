using Microsoft.EntityFrameworkCore;
using Stox.Jobs.Data;
using Stox.Jobs.Infrastructure;
using Stox.Jobs.Live;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Images;

/// <summary>
/// Applies what processing reports to the job and image rows, then tells the user's browsers. Events arrive at
/// least once and in any order between queues: a duplicate or stale event changes nothing (a finished job stays
/// finished, except that a late completion beats a failure), and an event of an older job never touches the
/// image of a newer one.
/// </summary>
public sealed class JobEventHandler(JobsDbContext db, ImageEventBroadcaster broadcaster, StorageDeletionSignal deletions, TimeProvider time)
{
    public async Task ApplyAsync(ImageJobProgressV1 e, CancellationToken cancellationToken)
    {
        var change = await db.InTransactionAsync(async ct =>
        {
            if (await LockUnfinishedAsync(e.ImageId, e.JobId, ct) is not { } found)
            {
                return null;
            }

            var (image, job) = found;

            var now = time.GetUtcNow();
            var started = job.Status != ImageStatus.Processing;
            job.Status = ImageStatus.Processing;
            job.StartedAt ??= e.At;
            job.Attempts = Math.Max(job.Attempts, e.Attempt);
            job.Worker = e.Worker;
            job.LastHeartbeatAt = now;
            if (e.Stage != ImageJobStages.Heartbeat)
            {
                job.Stage = e.Stage;
                job.Progress = Math.Clamp(e.Percent, 0, 99);
            }

            if (image.CurrentJobId != job.Id || (e.Stage == ImageJobStages.Heartbeat && !started))
            {
                return null;
            }

            image.Status = ImageStatus.Processing;
            image.Progress = job.Progress;
            image.UpdatedAt = now;
            return new ImageEvent(image.Id, job.Id, ImageStatus.Processing, job.Progress, job.Stage, null, now);
        }, cancellationToken);

        await BroadcastAsync(e.UserId, change, cancellationToken);
    }

    public async Task ApplyAsync(ImageJobCompletedV1 e, CancellationToken cancellationToken)
    {
        var orphaned = false;
        var change = await db.InTransactionAsync(async ct =>
        {
            var now = time.GetUtcNow();
            var image = await db.LockImageAsync(e.ImageId, ct);
            if (image is null)
            {
                // Deleted while it was processed: what the worker just wrote must go too.
                db.StorageDeletions.Add(Maintenance.StorageCleanup.For([.. e.Variants.Select(v => v.Key), .. e.Enhanced.Select(v => v.Key)], now));
                orphaned = true;
                return null;
            }

            var job = await db.Jobs.SingleOrDefaultAsync(j => j.Id == e.JobId, ct);
            if (job is null || job.Status == ImageStatus.Complete)
            {
                return null;
            }

            job.Status = ImageStatus.Complete;
            job.Progress = 100;
            job.Stage = ImageJobStages.Stored;
            job.Error = null;
            job.Worker = e.Worker;
            job.StartedAt ??= e.StartedAt;
            job.FinishedAt = e.FinishedAt;
            job.LastHeartbeatAt = now;
            if (image.CurrentJobId != job.Id)
            {
                return null;
            }

            image.Status = ImageStatus.Complete;
            image.Progress = 100;
            image.Error = null;
            image.OriginalFormat = e.Original.Format;
            image.Width = e.Original.Width;
            image.Height = e.Original.Height;
            image.Variants = [.. e.Variants.Select(Stored)];
            image.Enhanced = [.. e.Enhanced.Select(Stored)];
            image.Placeholder = e.Placeholder;
            image.DominantColor = e.DominantColor;
            image.StoredBytes = image.OriginalBytes + e.Variants.Sum(v => v.Bytes) + e.Enhanced.Sum(v => v.Bytes);
            image.UpdatedAt = now;
            return new ImageEvent(image.Id, job.Id, ImageStatus.Complete, 100, ImageJobStages.Stored, null, now);
        }, cancellationToken);

        if (orphaned)
        {
            deletions.Notify();
        }

        await BroadcastAsync(e.UserId, change, cancellationToken);
    }

    public async Task ApplyAsync(ImageJobFailedV1 e, CancellationToken cancellationToken)
    {
        var change = await db.InTransactionAsync(async ct =>
        {
            return await LockUnfinishedAsync(e.ImageId, e.JobId, ct) is { } found
                ? Fail(found.Image, found.Job, e.Error, time.GetUtcNow(), e.Worker, e.Attempts)
                : null;
        }, cancellationToken);

        await BroadcastAsync(e.UserId, change, cancellationToken);
    }

    /// <summary>Marks a job (and its image, when it is the current job) failed; returns the event to broadcast, if any.</summary>
    public static ImageEvent? Fail(Image image, ImageJob job, string error, DateTimeOffset now, string? worker = null, int attempts = 0)
    {
        job.Status = ImageStatus.Failed;
        job.Error = ErrorText.Fit(error);
        job.FinishedAt = now;
        job.Attempts = Math.Max(job.Attempts, attempts);
        job.Worker = worker ?? job.Worker;
        if (image.CurrentJobId != job.Id)
        {
            return null;
        }

        image.Status = ImageStatus.Failed;
        image.Error = job.Error;
        image.UpdatedAt = now;
        return new ImageEvent(image.Id, job.Id, ImageStatus.Failed, image.Progress, job.Stage, job.Error, now);
    }

    /// <summary>The image (locked) and its job, when both exist and the job is not finished yet.</summary>
    private async Task<(Image Image, ImageJob Job)?> LockUnfinishedAsync(Guid imageId, Guid jobId, CancellationToken cancellationToken)
    {
        var image = await db.LockImageAsync(imageId, cancellationToken);
        var job = await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        return image is null || job is null || ImageStatus.IsFinal(job.Status) ? null : (image, job);
    }

    private Task BroadcastAsync(Guid userId, ImageEvent? change, CancellationToken cancellationToken) =>
        change is null ? Task.CompletedTask : broadcaster.PublishAsync(userId, change, cancellationToken);

    private static StoredVariant Stored(VariantV1 v) => new(v.Preset, v.Format, v.Width, v.Height, v.Bytes, v.ContentType, v.Key);
}
