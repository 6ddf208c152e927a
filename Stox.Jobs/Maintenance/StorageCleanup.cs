using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.EntityFrameworkCore;
using Stox.Imaging;
using Stox.Jobs.Data;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Maintenance;

/// <summary>
/// Removes objects from storage. A deletion is first recorded in jobsdb (in the same transaction as the change
/// that makes the objects garbage), then carried out; a storage error leaves the row to be retried with back-off,
/// so nothing is ever left orphaned by an outage.
/// </summary>
public sealed partial class StorageCleanup(IAmazonS3 s3, S3StorageSettings storage, TimeProvider time, ILogger<StorageCleanup> logger)
{
    private const int BatchSize = 20;

    public static StorageDeletion For(IEnumerable<string> keys, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Keys = [.. keys.Distinct(StringComparer.Ordinal)],
        CreatedAt = now,
        NextAttemptAt = now,
    };

    /// <summary>
    /// Every key an image may have in storage: its original, the variants it is known to have, and every
    /// deterministic variant key of every preset and format, because a job still running may write them later.
    /// </summary>
    public static IEnumerable<string> KeysOf(Image image)
    {
        if (image.OriginalKey.Length > 0)
        {
            // A generated picture the provider has not made yet has no original.
            yield return image.OriginalKey;
        }

        foreach (var variant in image.Variants.Concat(image.Enhanced))
        {
            yield return variant.Key;
        }

        foreach (var preset in ImagePreset.Defaults)
        {
            foreach (var format in ImageFormats.All)
            {
                yield return StorageKeys.Variant(image.UserId, image.Id, preset.Name, StorageKeys.ExtensionOf(format));
                yield return StorageKeys.Variant(image.UserId, image.Id, preset.Name, StorageKeys.ExtensionOf(format), enhanced: true);
            }
        }
    }

    /// <summary>Carries out the deletions that are due; returns how many were finished.</summary>
    public async Task<int> RunDueAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        return await db.InTransactionAsync(async ct =>
        {
            var now = time.GetUtcNow();
            var due = await db.StorageDeletions
                .FromSql($"""
                    SELECT * FROM storage_deletions WHERE "NextAttemptAt" <= {now}
                    ORDER BY "NextAttemptAt" LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                    """)
                .ToListAsync(ct);
            var done = 0;
            foreach (var deletion in due)
            {
                try
                {
                    await DeleteAsync(deletion.Keys, ct);
                    db.StorageDeletions.Remove(deletion);
                    done++;
                }
                catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or StorageDeletionException
                    || (ex is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    deletion.Attempts++;
                    deletion.NextAttemptAt = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(600, 5 * Math.Pow(2, Math.Min(deletion.Attempts, 7))));
                    deletion.LastError = ErrorText.Fit(ex.Message);
                    LogDeletionFailed(logger, ex, deletion.Id, deletion.Attempts);
                    break;
                }
            }

            return done;
        }, cancellationToken);
    }

    private async Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var chunk in keys.Chunk(1000))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var response = await s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = storage.Bucket,
                Objects = [.. chunk.Select(k => new KeyVersion { Key = k })],
                Quiet = true,
            }, timeout.Token);
            // A key that is already gone counts as deleted.
            if (response.DeleteErrors?.FirstOrDefault(e => e.Code != "NoSuchKey") is { } error)
            {
                throw new StorageDeletionException($"Deleting '{error.Key}' failed: {error.Code} {error.Message}");
            }
        }
    }

    [LoggerMessage(EventId = 400, EventName = "StorageDeletionFailed", Level = LogLevel.Warning, Message = "Storage deletion {DeletionId} failed (attempt {Attempts}); it will be retried.")]
    private static partial void LogDeletionFailed(ILogger logger, Exception exception, Guid deletionId, int attempts);
}

public sealed class StorageDeletionException : Exception
{
    public StorageDeletionException()
    {
    }

    public StorageDeletionException(string message) : base(message)
    {
    }

    public StorageDeletionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
