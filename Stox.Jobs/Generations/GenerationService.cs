using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stox.Jobs.Apis;
using Stox.Jobs.Credits;
using Stox.Jobs.Data;
using Stox.Jobs.Generations.Providers;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.Jobs.Live;
using Stox.Jobs.Outbox;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Generations;

/// <summary>
/// <c>POST /api/generations</c>: in one transaction, takes the cost from the user's credits, writes the generation
/// and one pending image per picture, and puts the request to the provider in the outbox. Either all of it is
/// kept or none; the provider is asked afterwards by <see cref="GenerationRunner"/>.
/// </summary>
public sealed class GenerationService(
    JobsDbContext db,
    CreditLedger ledger,
    ProviderCatalog providers,
    IOptions<CreditsOptions> credits,
    OutboxSignal outbox,
    ImageEventBroadcaster broadcaster,
    TimeProvider time)
{
    public int CostPerImage => providers.Current is { } provider ? credits.Value.CostOf(provider.Name, provider.Model) : credits.Value.CostPerImage;

    public async Task<(GenerationAccepted? Accepted, ProblemHttpResult? Problem)> AcceptAsync(CurrentUser user, GenerationRequest request, CancellationToken cancellationToken)
    {
        if (providers.Current is not { } provider)
        {
            return (null, GenerationProblems.NotConfigured());
        }

        if (GenerationRequestRules.Check(request, out var errors) is not { } wanted)
        {
            return (null, GenerationProblems.Invalid(errors));
        }

        var cost = wanted.Count * CostPerImage;
        var now = time.GetUtcNow();
        Generation? generation = null;
        var (balance, problem) = await db.InTransactionAsync<(int, ProblemHttpResult?)>(async ct =>
        {
            var account = await ledger.LockAsync(user.Id, user.Tier, ct);
            if (account.Balance < cost)
            {
                // The grant the lock may have given is kept: it is due whatever happens to this request.
                return (account.Balance, GenerationProblems.InsufficientCredits(cost, account.Balance));
            }

            generation = Create(user, wanted, provider, cost, now);
            await ledger.PostAsync(account, CreditKind.Spend, -cost,
                $"Generation of {Pictures(wanted.Count)} with {provider.Name} {provider.Model}", $"generation:{generation.Id:N}", ct);
            OutboxWriter.Add(db, ImageTopology.RoutingKeys.GenerationRequested, new ImageGenerationRequestedV1(generation.Id, user.Id, now), now);
            return (account.Balance, null);
        }, cancellationToken);

        if (problem is not null)
        {
            return (null, problem);
        }

        outbox.Notify();
        foreach (var image in generation!.Images)
        {
            await broadcaster.PublishAsync(user.Id, new ImageEvent(image.Id, null, ImageStatus.Pending, 0, "generating", null, now), cancellationToken);
        }

        return (new GenerationAccepted(
            generation.Id,
            generation.Status,
            [.. generation.Images.Select(i => new GeneratedImageRef(i.Id, i.Status, $"/api/images/{i.Id}/status"))],
            cost,
            balance,
            "/api/images/events"), null);
    }

    private Generation Create(CurrentUser user, CheckedGeneration wanted, IImageProvider provider, int cost, DateTimeOffset now)
    {
        var generation = new Generation
        {
            Id = Guid.CreateVersion7(now),
            UserId = user.Id,
            Prompt = wanted.Prompt,
            NegativePrompt = wanted.NegativePrompt,
            Style = wanted.Style,
            AspectRatio = wanted.AspectRatio,
            Seed = wanted.Seed,
            Count = wanted.Count,
            Provider = provider.Name,
            Model = provider.Model,
            Status = GenerationStatus.Pending,
            CreditsCharged = cost,
            Enhance = wanted.Enhance,
            Formats = wanted.Formats,
            CreatedAt = now,
        };
        db.Generations.Add(generation);

        for (var n = 1; n <= wanted.Count; n++)
        {
            // Until the provider answers, a picture has no original: it waits in pending like an upload in the queue.
            var image = new Image
            {
                Id = Guid.CreateVersion7(now),
                UserId = user.Id,
                OriginalName = NameOf(wanted.Prompt, n, wanted.Count),
                OriginalKey = string.Empty,
                ContentType = string.Empty,
                Status = ImageStatus.Pending,
                Enhance = wanted.Enhance,
                Formats = wanted.Formats,
                GenerationId = generation.Id,
                CreatedAt = now,
                UpdatedAt = now,
            };
            // Adding it to the context also puts it in generation.Images (EF's fix-up of the relationship).
            db.Images.Add(image);
        }

        return generation;
    }

    /// <summary>What the gallery calls a generated picture: the start of its prompt.</summary>
    private static string NameOf(string prompt, int n, int count)
    {
        var words = string.Join(' ', prompt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var name = words.Length <= 80 ? words : words[..80].TrimEnd() + "…";
        return count == 1 ? name : $"{name} ({n} of {count})";
    }

    private static string Pictures(int count) => count == 1 ? "1 picture" : $"{count} pictures";
}
