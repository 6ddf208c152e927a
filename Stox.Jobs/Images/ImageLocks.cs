using Microsoft.EntityFrameworkCore;
using Stox.Jobs.Data;

namespace Stox.Jobs.Images;

public static class ImageLocks
{
    /// <summary>
    /// Loads an image row locked for update (inside the caller's transaction): every change to an image and its
    /// jobs (events from workers, reprocess, delete, the stuck-job monitor) takes this lock, so none overwrites another.
    /// </summary>
    public static Task<Image?> LockImageAsync(this JobsDbContext db, Guid imageId, CancellationToken cancellationToken) =>
        db.Images.FromSql($"""SELECT * FROM images WHERE "Id" = {imageId} FOR UPDATE""").SingleOrDefaultAsync(cancellationToken);

    /// <summary>Runs <paramref name="work"/> in a transaction under the connection's retry strategy (retried as a whole on a transient error).</summary>
    public static Task<T> InTransactionAsync<T>(this JobsDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await work(ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return result;
        }, cancellationToken);
}
