using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stox.Jobs.Apis;
using Stox.Jobs.Data;
using Stox.Jobs.Delivery;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.Jobs.Live;
using Stox.Jobs.Maintenance;
using Stox.Messaging.Contracts;
using Stox.ServiceDefaults.Problems;

namespace Stox.Jobs.Uploads;

/// <summary>
/// Large files go browser -> S3: <c>POST /api/images/uploads</c> hands out a pre-signed PUT URL for a new image
/// (hidden until completed), and <c>POST /api/images/{id}/complete</c> checks what arrived (size, real type,
/// pixels) exactly as a direct upload is checked, then starts processing. A refused file is deleted.
/// </summary>
public sealed class PresignedUploadService(
    JobsDbContext db,
    IAmazonS3 s3,
    S3StorageSettings storage,
    OriginalStore store,
    UploadInspector inspector,
    DeliveryUrls urls,
    OutboxSignal outbox,
    StorageDeletionSignal deletions,
    ImageEventBroadcaster broadcaster,
    IOptions<JobsOptions> options,
    TimeProvider time)
{
    public async Task<(PresignedUploadResponse? Response, IResult? Problem)> CreateAsync(CurrentUser user, PresignedUploadRequest request, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var errors = new Dictionary<string, string[]>();
        var extension = UploadInspector.ExtensionOfContentType(request.ContentType);
        if (extension is null)
        {
            errors["contentType"] = ["Use one of image/jpeg, image/png, image/webp, image/gif, image/heic, image/avif, image/tiff."];
        }

        if (request.Size is not > 0)
        {
            errors["size"] = ["The file size in bytes is required and must be positive."];
        }

        if (!UploadFields.TryParseFormats(request.Formats, out var formats, out var formatError))
        {
            errors["formats"] = [formatError!];
        }

        if (errors.Count > 0)
        {
            return (null, StoxProblems.Validation(errors));
        }

        var name = UploadFields.CleanFileName(request.FileName);
        if (request.Size > o.MaxFileBytes)
        {
            return (null, Problems.TooLarge(name, o.MaxFileBytes));
        }

        var now = time.GetUtcNow();
        var used = await UploadQuota.UsedAsync(db, user.Id, now, cancellationToken);
        var limit = UploadQuota.Limit(user, o);
        if (used >= limit)
        {
            return (null, Problems.QuotaExceeded(used, limit, user.Tier));
        }

        var imageId = Guid.CreateVersion7(now);
        var key = StorageKeys.Original(user.Id, imageId, extension!);
        db.Images.Add(new Image
        {
            Id = imageId,
            UserId = user.Id,
            OriginalName = name,
            OriginalKey = key,
            ContentType = request.ContentType!.ToLowerInvariant(),
            OriginalBytes = request.Size!.Value,
            Status = ImageStatus.AwaitingUpload,
            Enhance = request.Enhance ?? false,
            Formats = formats,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);

        var uploadUrl = urls.Upload(key, request.ContentType.ToLowerInvariant(), out var expiresAt);
        return (new PresignedUploadResponse(
            imageId,
            uploadUrl,
            "PUT",
            new Dictionary<string, string> { ["Content-Type"] = request.ContentType.ToLowerInvariant() },
            expiresAt,
            $"/api/images/{imageId}/complete"), null);
    }

    public async Task<(Image? Image, IResult? Problem)> CompleteAsync(CurrentUser user, Guid imageId, CancellationToken cancellationToken)
    {
        var image = await db.Images.AsNoTracking().SingleOrDefaultAsync(i => i.Id == imageId && i.UserId == user.Id, cancellationToken);
        if (image is null)
        {
            return (null, Problems.NotFound());
        }

        if (image.Status != ImageStatus.AwaitingUpload)
        {
            // Completed before: the same answer again.
            return (image, null);
        }

        var (inspected, size, problem) = await InspectStoredAsync(image, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        var now = time.GetUtcNow();
        var refusal = await db.InTransactionAsync(async ct =>
        {
            var locked = await db.LockImageAsync(imageId, ct);
            if (locked is null || locked.Status != ImageStatus.AwaitingUpload)
            {
                return null;
            }

            if (await UploadQuota.ReserveAsync(db, user, options.Value, 1, now, ct) is { } quotaProblem)
            {
                return quotaProblem;
            }

            inspected!.DescribeOriginal(locked, size);
            locked.CreatedAt = now;
            JobStarter.Start(db, locked, locked.Enhance, locked.Formats, now);
            image = locked;
            return (ProblemHttpResult?)null;
        }, cancellationToken);

        if (refusal is not null)
        {
            return (null, refusal);
        }

        outbox.Notify();
        await broadcaster.PublishAsync(user.Id, new ImageEvent(image.Id, image.CurrentJobId, image.Status, 0, null, null, now), cancellationToken);
        return (image, null);
    }

    /// <summary>Checks the object the browser put: there, not too large, and an image by its first bytes. A refused one is deleted with its row.</summary>
    private async Task<(InspectedImage? Inspected, long Size, IResult? Problem)> InspectStoredAsync(Image image, CancellationToken cancellationToken)
    {
        long size;
        try
        {
            var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = storage.Bucket, Key = image.OriginalKey }, cancellationToken);
            size = head.ContentLength;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return (null, 0, StoxProblems.Create(409, "upload-missing", "Upload not found", "The file has not been uploaded yet: PUT it to the upload URL first."));
        }

        if (size > options.Value.MaxFileBytes)
        {
            return (null, size, await RefuseAsync(image, Problems.TooLarge(image.OriginalName, options.Value.MaxFileBytes), cancellationToken));
        }

        var buffer = store.RentBuffer();
        try
        {
            var length = 0;
            if (size > 0)
            {
                using var response = await s3.GetObjectAsync(new GetObjectRequest
                {
                    BucketName = storage.Bucket,
                    Key = image.OriginalKey,
                    ByteRange = new ByteRange(0, Math.Min(size, store.PartBytes) - 1),
                }, cancellationToken);
                length = await store.FillAsync(response.ResponseStream, buffer, 0, cancellationToken);
            }

            var inspected = inspector.Inspect(buffer.AsMemory(0, length), size <= store.PartBytes, image.OriginalName, out var problem);
            return problem is null ? (inspected, size, null) : (null, size, await RefuseAsync(image, problem, cancellationToken));
        }
        finally
        {
            OriginalStore.ReturnBuffer(buffer);
        }
    }

    private async Task<IResult> RefuseAsync(Image image, IResult problem, CancellationToken cancellationToken)
    {
        await db.InTransactionAsync(async ct =>
        {
            if (await db.LockImageAsync(image.Id, ct) is { Status: ImageStatus.AwaitingUpload } locked)
            {
                db.Images.Remove(locked);
                db.StorageDeletions.Add(StorageCleanup.For([locked.OriginalKey], time.GetUtcNow()));
            }

            return true;
        }, cancellationToken);
        deletions.Notify();
        return problem;
    }
}
