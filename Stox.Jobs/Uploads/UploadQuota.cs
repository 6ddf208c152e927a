using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Stox.Jobs.Data;
using Stox.Jobs.Infrastructure;

namespace Stox.Jobs.Uploads;

/// <summary>Monthly upload quota: the number comes from auth (the token's <c>upload_quota</c>), the count from jobsdb.</summary>
public static class UploadQuota
{
    public static DateOnly MonthOf(DateTimeOffset now) => new(now.UtcDateTime.Year, now.UtcDateTime.Month, 1);

    public static int Limit(CurrentUser user, JobsOptions options) => user.UploadQuota ?? options.DefaultMonthlyUploadQuota;

    public static async Task<int> UsedAsync(JobsDbContext db, Guid userId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.UploadCounters.Where(c => c.UserId == userId && c.Month == MonthOf(now)).Select(c => c.Count).SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Counts <paramref name="uploads"/> more uploads for the user inside the caller's transaction, or refuses
    /// them. A per-user advisory lock makes concurrent uploads queue here, so they cannot overshoot the quota together.
    /// </summary>
    public static async Task<ProblemHttpResult?> ReserveAsync(JobsDbContext db, CurrentUser user, JobsOptions options, int uploads, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({user.Id.ToString()}, 0))", cancellationToken);
        var month = MonthOf(now);
        var counter = await db.UploadCounters.SingleOrDefaultAsync(c => c.UserId == user.Id && c.Month == month, cancellationToken);
        var used = counter?.Count ?? 0;
        var limit = Limit(user, options);
        if (used + uploads > limit)
        {
            return Problems.QuotaExceeded(used, limit, user.Tier);
        }

        if (counter is null)
        {
            db.UploadCounters.Add(new UploadCounter { UserId = user.Id, Month = month, Count = uploads });
        }
        else
        {
            counter.Count += uploads;
        }

        return null;
    }
}
