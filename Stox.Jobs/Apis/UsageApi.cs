using Microsoft.EntityFrameworkCore;
using Stox.Jobs.Data;
using Stox.Jobs.Uploads;

namespace Stox.Jobs.Apis;

/// <summary>
/// <c>GET /internal/usage/{userId}</c> for auth's account page. Internal: the gateway routes nothing under
/// /internal, so only services on the private network reach it.
/// </summary>
public static class UsageApi
{
    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/internal/usage/{userId:guid}", async (Guid userId, JobsDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var images = db.Images.AsNoTracking().Where(i => i.UserId == userId && i.Status != ImageStatus.AwaitingUpload);
            var count = await images.LongCountAsync(cancellationToken);
            var bytes = await images.SumAsync(i => (long?)i.StoredBytes, cancellationToken) ?? 0;
            var uploads = await UploadQuota.UsedAsync(db, userId, time.GetUtcNow(), cancellationToken);
            return TypedResults.Ok(new UsageResponse(count, bytes, uploads));
        })
        .ExcludeFromDescription();
        return app;
    }
}
