using Microsoft.AspNetCore.Http.HttpResults;
using Stox.Jobs.Credits;
using Stox.Jobs.Data;
using Stox.Jobs.Generations;
using Stox.Jobs.Infrastructure;
using Stox.Jobs.Live;
using Stox.Jobs.Maintenance;

namespace Stox.Jobs.Images;

/// <summary>What a user can do to an existing image: process it again, or delete it with everything it has in storage.</summary>
public sealed class ImageCommands(JobsDbContext db, CreditLedger ledger, OutboxSignal outbox, StorageDeletionSignal deletions, ImageEventBroadcaster broadcaster, TimeProvider time)
{
    public async Task<(Image? Image, ProblemHttpResult? Problem)> ReprocessAsync(CurrentUser user, Guid imageId, bool? enhance, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (image, problem) = await db.InTransactionAsync<(Image?, ProblemHttpResult?)>(async ct =>
        {
            var image = await db.LockImageAsync(imageId, ct);
            if (image is null || (image.UserId != user.Id && !user.IsAdmin) || image.Status == ImageStatus.AwaitingUpload)
            {
                return (null, Problems.NotFound());
            }

            if (!ImageStatus.IsFinal(image.Status))
            {
                return (null, Problems.Conflict("The image is still being processed; reprocess it once it is complete or failed."));
            }

            if (image.OriginalKey.Length == 0)
            {
                return (null, Problems.Conflict("The provider never made this picture, so there is nothing to process again; generate it anew."));
            }

            JobStarter.Start(db, image, enhance ?? image.Enhance, image.Formats, now);
            return (image, null);
        }, cancellationToken);

        if (image is not null)
        {
            outbox.Notify();
            await broadcaster.PublishAsync(image.UserId, new ImageEvent(image.Id, image.CurrentJobId, ImageStatus.Pending, 0, null, null, now), cancellationToken);
        }

        return (image, problem);
    }

    /// <summary>Removes the image at once; its objects are deleted from storage now, or retried until they are.</summary>
    public async Task<bool> DeleteAsync(CurrentUser user, Guid imageId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var deleted = await db.InTransactionAsync(async ct =>
        {
            var image = await db.LockImageAsync(imageId, ct);
            if (image is null || (image.UserId != user.Id && !user.IsAdmin))
            {
                return null;
            }

            if (image is { GenerationId: { } generationId, OriginalKey.Length: 0, Status: ImageStatus.Pending })
            {
                await ledger.RefundPictureAsync(db, generationId, image.Id, "deleted before it was made", ct);
            }

            db.StorageDeletions.Add(StorageCleanup.For(StorageCleanup.KeysOf(image), now));
            db.Images.Remove(image);
            return image;
        }, cancellationToken);

        if (deleted is null)
        {
            return false;
        }

        deletions.Notify();
        await broadcaster.PublishAsync(deleted.UserId, new ImageEvent(deleted.Id, deleted.CurrentJobId, ImageEventStatus.Deleted, deleted.Progress, null, null, now), cancellationToken);
        return true;
    }
}
