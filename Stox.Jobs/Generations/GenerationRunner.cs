using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stox.Jobs.Credits;
using Stox.Jobs.Data;
using Stox.Jobs.Generations.Providers;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.Jobs.Live;
using Stox.Jobs.Maintenance;
using Stox.Jobs.Outbox;
using Stox.Jobs.Uploads;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Generations;

/// <summary>
/// Makes the pictures of an accepted generation: asks the provider for each one that has no original yet, checks
/// that what came back is an image, stores it as the picture's original and starts its processing job, exactly as
/// an upload's. A picture the provider refused or failed is marked failed and its credits are refunded. Running it
/// again for the same generation (a redelivered message) only redoes what is not done; refunds are idempotent.
/// </summary>
public sealed partial class GenerationRunner(
    JobsDbContext db,
    CreditLedger ledger,
    ProviderCatalog providers,
    UploadInspector inspector,
    OriginalStore store,
    OutboxSignal outbox,
    ImageEventBroadcaster broadcaster,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<GenerationRunner> logger)
{
    /// <param name="stopping">Cancels only the wait for the provider (the service is stopping); what the provider made is always kept.</param>
    public async Task RunAsync(Guid generationId, CancellationToken stopping)
    {
        var cancellationToken = CancellationToken.None;
        var generation = await db.Generations.AsNoTracking().SingleOrDefaultAsync(g => g.Id == generationId, cancellationToken);
        if (generation is null || GenerationStatus.IsFinal(generation.Status))
        {
            return;
        }

        var waiting = await db.Images.AsNoTracking()
            .Where(i => i.GenerationId == generationId && i.OriginalKey == string.Empty && i.Status == ImageStatus.Pending)
            .OrderBy(i => i.Id)
            .ToListAsync(cancellationToken);
        await db.Generations.Where(g => g.Id == generationId)
            .ExecuteUpdateAsync(g => g
                .SetProperty(x => x.Status, GenerationStatus.Generating)
                .SetProperty(x => x.LastAttemptAt, time.GetUtcNow()), cancellationToken);

        var provider = providers.Current;
        var pictures = await Task.WhenAll(waiting.Select((image, index) => MakeAsync(provider, generation, image, SeedOf(generation, image, index), stopping)));

        var failures = new List<string>();
        foreach (var picture in pictures)
        {
            if (picture.Error is { } error)
            {
                failures.Add(error);
                await FailAsync(generation, picture.Image, error, cancellationToken);
            }
            else
            {
                await StartProcessingAsync(generation, picture, cancellationToken);
            }
        }

        await FinishAsync(generation, failures, cancellationToken);
    }

    /// <summary>Asks the provider for one picture and stores it; what went wrong is returned, never thrown, except storage trouble (retried).</summary>
    private async Task<Picture> MakeAsync(IImageProvider? provider, Generation generation, Image image, long? seed, CancellationToken stopping)
    {
        if (provider is null)
        {
            return new Picture(image, null, null, 0, null, GenerationProblems.NotConfiguredDetail);
        }

        ProviderImage made;
        try
        {
            var request = new ProviderRequest(generation.Prompt, generation.NegativePrompt, generation.Style, generation.AspectRatio, seed, 1);
            var answer = await provider.GenerateAsync(request, stopping);
            if (answer.Count == 0)
            {
                return new Picture(image, null, null, 0, null, "The provider answered without a picture.");
            }

            made = answer[0];
        }
        catch (ProviderException ex)
        {
            LogProviderFailed(logger, generation.Id, image.Id, ex.Kind, ex.StatusCode);
            return new Picture(image, null, null, 0, null, ex.Message);
        }

        var inspected = inspector.Inspect(made.Bytes, isWholeFile: true, image.OriginalName, out var problem);
        if (problem is not null)
        {
            LogNotAnImage(logger, generation.Id, image.Id, made.Bytes.Length);
            return new Picture(image, null, null, 0, null, "The provider's answer is not a picture Stox can read.");
        }

        var key = StorageKeys.Original(image.UserId, image.Id, inspected.Extension);
        var bytes = await StoreAsync(key, inspected.ContentType, made.Bytes, CancellationToken.None);
        return new Picture(image, inspected, key, bytes, made.Seed ?? seed, null);
    }

    private async Task<long> StoreAsync(string key, string contentType, byte[] picture, CancellationToken cancellationToken)
    {
        using var rest = new MemoryStream(picture, writable: false);
        var buffer = store.RentBuffer();
        try
        {
            var head = await store.FillAsync(rest, buffer, 0, cancellationToken);
            return await store.PutAsync(key, contentType, buffer, head, rest, options.Value.MaxFileBytes, cancellationToken);
        }
        finally
        {
            OriginalStore.ReturnBuffer(buffer);
        }
    }

    private async Task StartProcessingAsync(Generation generation, Picture picture, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var started = await db.InTransactionAsync(async ct =>
        {
            var image = await db.LockImageAsync(picture.Image.Id, ct);
            if (image is null || image.Status == ImageStatus.Failed)
            {
                // Deleted while the provider worked, or given up as stuck (already refunded): its original goes,
                // and so does what it cost.
                db.StorageDeletions.Add(StorageCleanup.For([picture.Key!], now));
                await ledger.RefundPictureAsync(db, generation.Id, picture.Image.Id, "deleted before it was made", ct);
                return null;
            }

            image.OriginalKey = picture.Key!;
            image.Seed = picture.Seed;
            picture.Inspected!.DescribeOriginal(image, picture.Bytes);
            JobStarter.Start(db, image, generation.Enhance, generation.Formats, now);
            return image;
        }, cancellationToken);

        if (started is not null)
        {
            outbox.Notify();
            await broadcaster.PublishAsync(started.UserId, new ImageEvent(started.Id, started.CurrentJobId, ImageStatus.Pending, 0, null, null, now), cancellationToken);
        }
    }

    private async Task FailAsync(Generation generation, Image picture, string error, CancellationToken cancellationToken)
    {
        if (await db.InTransactionAsync(ct => FailPictureAsync(generation.Id, picture.Id, error, ct), cancellationToken) is var (userId, failed))
        {
            await broadcaster.PublishAsync(userId, failed, cancellationToken);
        }
    }

    /// <summary>Inside the caller's transaction: the picture fails with <paramref name="error"/> and what it cost is refunded.</summary>
    private async Task<(Guid UserId, ImageEvent Event)?> FailPictureAsync(Guid generationId, Guid imageId, string error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var image = await db.LockImageAsync(imageId, cancellationToken);
        if (image is not null)
        {
            image.Status = ImageStatus.Failed;
            image.Error = ErrorText.Fit(error);
            image.UpdatedAt = now;
        }

        await ledger.RefundPictureAsync(db, generationId, imageId, "that was not made", cancellationToken);
        return image is null ? null : (image.UserId, new ImageEvent(image.Id, null, ImageStatus.Failed, 0, null, image.Error, now));
    }

    /// <summary>
    /// Settles a generation whose run died (see <see cref="StuckGenerations"/>): every picture not made yet fails
    /// with <paramref name="error"/> and is refunded, and the generation ends as its pictures say. One transaction
    /// under the generation's row lock, so two replicas never settle it twice; false when it had already ended.
    /// </summary>
    public async Task<bool> GiveUpAsync(Guid generationId, string error, CancellationToken cancellationToken)
    {
        var changes = new List<(Guid UserId, ImageEvent Event)>();
        var settled = await db.InTransactionAsync(async ct =>
        {
            changes.Clear();
            var generation = await db.Generations
                .FromSql($"""SELECT * FROM generations WHERE "Id" = {generationId} FOR UPDATE""")
                .AsNoTracking()
                .SingleOrDefaultAsync(ct);
            if (generation is null || GenerationStatus.IsFinal(generation.Status))
            {
                return false;
            }

            var waiting = await db.Images.AsNoTracking()
                .Where(i => i.GenerationId == generationId && i.OriginalKey == string.Empty && i.Status == ImageStatus.Pending)
                .Select(i => i.Id)
                .ToListAsync(ct);
            foreach (var imageId in waiting)
            {
                if (await FailPictureAsync(generationId, imageId, error, ct) is { } failed)
                {
                    changes.Add(failed);
                }
            }

            await db.SaveChangesAsync(ct);
            await FinishAsync(generation, waiting.Count == 0 ? [] : [error], ct);
            return true;
        }, cancellationToken);

        foreach (var (userId, change) in changes)
        {
            await broadcaster.PublishAsync(userId, change, cancellationToken);
        }

        return settled;
    }

    private async Task FinishAsync(Generation generation, List<string> failures, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Pictures deleted before they were made count as not made.
        var made = await db.Images.CountAsync(i => i.GenerationId == generation.Id && i.OriginalKey != string.Empty, cancellationToken);
        var status = made == generation.Count ? GenerationStatus.Complete : made == 0 ? GenerationStatus.Failed : GenerationStatus.Partial;
        var error = failures.Count == 0 ? null : ErrorText.Fit(string.Join(" ", failures.Distinct()));
        // A generation given up meanwhile (StuckGenerations) keeps the ending it was given.
        await db.Generations.Where(g => g.Id == generation.Id && (g.Status == GenerationStatus.Pending || g.Status == GenerationStatus.Generating))
            .ExecuteUpdateAsync(g => g
            .SetProperty(x => x.Status, status)
            .SetProperty(x => x.Error, error)
            .SetProperty(x => x.FinishedAt, now), cancellationToken);
        LogFinished(logger, generation.Id, status, made, generation.Count);
    }

    /// <summary>Pictures of one generation get consecutive seeds from the one asked for, so each can be made again.</summary>
    private static long? SeedOf(Generation generation, Image image, int index) =>
        generation.Seed is { } seed ? (seed + index) % (GenerationLimits.MaxSeed + 1) : null;

    private sealed record Picture(Image Image, InspectedImage? Inspected, string? Key, long Bytes, long? Seed, string? Error);

    [LoggerMessage(EventId = 400, EventName = "GenerationProviderFailed", Level = LogLevel.Warning, Message = "The provider did not make picture {ImageId} of generation {GenerationId}: {Kind} (HTTP {StatusCode}).")]
    private static partial void LogProviderFailed(ILogger logger, Guid generationId, Guid imageId, ProviderErrorKind kind, int? statusCode);

    [LoggerMessage(EventId = 401, EventName = "GenerationNotAnImage", Level = LogLevel.Warning, Message = "The provider's answer for picture {ImageId} of generation {GenerationId} ({Bytes} bytes) is not an image.")]
    private static partial void LogNotAnImage(ILogger logger, Guid generationId, Guid imageId, int bytes);

    [LoggerMessage(EventId = 402, EventName = "GenerationFinished", Level = LogLevel.Information, Message = "Generation {GenerationId} is {Status}: {Made} of {Count} pictures made.")]
    private static partial void LogFinished(ILogger logger, Guid generationId, string status, int made, int count);
}
