using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stox.Jobs.Data;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Generations;

/// <summary>
/// Part of the jobs maintenance sweep: a generation whose run died for good stays pending or generating for
/// ever (its message was dead-lettered after the queue's retries, or the replica running it died and the
/// redelivery went the same way). Past <see cref="JobsOptions.StuckGenerationTimeout"/> it is given up: the
/// pictures not made fail with a sentence and are refunded, once, by <c>refund:{imageId}</c>.
/// </summary>
public sealed partial class StuckGenerations(
    JobsDbContext db,
    GenerationRunner runner,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<StuckGenerations> logger)
{
    public async Task<int> GiveUpAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.StuckGenerationTimeout;
        var silentSince = time.GetUtcNow() - timeout;
        var messageType = MessageTypeAttribute.Of<ImageGenerationRequestedV1>();
        // Generating: the last run started long before. Pending: never run, and not because its message is still
        // in the outbox (the broker was down): it was sent long ago, or its outbox row is gone.
        var stuck = await db.Database.SqlQuery<Guid>($"""
            SELECT g."Id" AS "Value" FROM generations g
            WHERE (g."Status" = 'generating' AND COALESCE(g."LastAttemptAt", g."CreatedAt") < {silentSince})
               OR (g."Status" = 'pending' AND g."CreatedAt" < {silentSince} AND NOT EXISTS (
                    SELECT 1 FROM outbox_messages o
                    WHERE o."Type" = {messageType} AND (o."SentAt" IS NULL OR o."SentAt" >= {silentSince})
                      AND o."Payload"::jsonb ->> 'generationId' = g."Id"::text))
            ORDER BY g."CreatedAt" LIMIT 20
            """).ToListAsync(cancellationToken);

        var given = 0;
        var after = timeout >= TimeSpan.FromMinutes(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalMinutes:0} minutes")
            : string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0} seconds");
        var error = $"The provider's answer never came: Stox gave up after {after} and refunded the picture. Try again.";
        foreach (var id in stuck)
        {
            if (await runner.GiveUpAsync(id, error, cancellationToken))
            {
                given++;
                LogGivenUp(logger, id);
            }
        }

        return given;
    }

    [LoggerMessage(EventId = 403, EventName = "GenerationGivenUp", Level = LogLevel.Error, Message = "Generation {GenerationId} was stuck; its pictures not made were failed and refunded.")]
    private static partial void LogGivenUp(ILogger logger, Guid generationId);
}
