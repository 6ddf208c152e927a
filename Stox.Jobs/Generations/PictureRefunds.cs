using Microsoft.EntityFrameworkCore;
using Stox.Jobs.Credits;
using Stox.Jobs.Data;

namespace Stox.Jobs.Generations;

/// <summary>Gives back what a picture cost when it will never be made: the provider failed it, or its owner deleted it first.</summary>
public static class PictureRefunds
{
    /// <summary>Inside the caller's transaction; a picture is refunded once however often this runs (reference <c>refund:{imageId}</c>).</summary>
    public static async Task RefundPictureAsync(this CreditLedger ledger, JobsDbContext db, Guid generationId, Guid imageId, string why, CancellationToken cancellationToken)
    {
        var generation = await db.Generations.AsNoTracking()
            .Where(g => g.Id == generationId)
            .Select(g => new { g.UserId, g.CreditsCharged, g.Count })
            .SingleOrDefaultAsync(cancellationToken);
        var perPicture = generation is null ? 0 : generation.CreditsCharged / generation.Count;
        if (perPicture == 0)
        {
            return;
        }

        var account = await ledger.LockAsync(generation!.UserId, tier: null, cancellationToken);
        if (await ledger.PostAsync(account, CreditKind.Refund, perPicture, $"Refund for a picture {why}", $"refund:{imageId:N}", cancellationToken) is not null)
        {
            await db.Generations.Where(g => g.Id == generationId)
                .ExecuteUpdateAsync(g => g.SetProperty(x => x.CreditsRefunded, x => x.CreditsRefunded + perPicture), cancellationToken);
        }
    }
}
