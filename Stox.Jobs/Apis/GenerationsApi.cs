using Microsoft.EntityFrameworkCore;
using Stox.Jobs.Credits;
using Stox.Jobs.Data;
using Stox.Jobs.Delivery;
using Stox.Jobs.Generations;
using Stox.Jobs.Images;
using Stox.Jobs.Generations.Providers;
using Stox.Jobs.Infrastructure;
using Stox.Messaging.Contracts;
using Stox.ServiceDefaults.Problems;

namespace Stox.Jobs.Apis;

/// <summary>The generations API (see Stox.Jobs/README.md): prompt to pictures, paid for in credits. Another user's generation is a 404.</summary>
public static class GenerationsApi
{
    public static IEndpointRouteBuilder MapGenerationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/generations").RequireAuthorization().WithTags("Generations")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        api.MapGet("/options", GetOptionsAsync)
            .WithSummary("Whether generation is on, what a picture costs, the styles and aspect ratios, and the caller's balance")
            .Produces<GenerationOptionsResponse>();
        api.MapPost("/", CreateAsync)
            .WithSummary("Generate 1-4 pictures from a prompt; each becomes an image that is processed like an upload")
            .Produces<GenerationAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/", ListAsync)
            .WithSummary("The user's generations, newest first (keyset pagination)")
            .Produces<GenerationListResponse>()
            .ProducesValidationProblem();
        api.MapGet("/{id}", GetAsync)
            .WithSummary("One generation: prompt, parameters, provider, status, pictures and credits")
            .Produces<GenerationView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> GetOptionsAsync(HttpContext http, ProviderCatalog providers, GenerationService generations, CreditLedger ledger, JobsDbContext db, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var balance = await db.InTransactionAsync(async ct => (await ledger.LockAsync(user.Id, user.Tier, ct)).Balance, cancellationToken);
        var provider = providers.Current;
        return TypedResults.Ok(new GenerationOptionsResponse(
            provider is not null,
            provider is null ? GenerationProblems.NotConfiguredDetail : null,
            provider?.Name,
            provider?.Model,
            generations.CostPerImage,
            GenerationLimits.MaxCount,
            GenerationLimits.MaxPromptLength,
            ImageStyles.All,
            AspectRatios.All,
            balance));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, GenerationService generations, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var (request, invalid) = await JsonBody.ReadAsync<GenerationRequest>(http.Request, cancellationToken);
        if (invalid is not null)
        {
            // A field of the wrong JSON type is a bad parameter (422, named); a body that is not JSON at all stays a 400.
            return invalid.ProblemDetails.Errors.Keys.Any(k => k != "body")
                ? GenerationProblems.Invalid(invalid.ProblemDetails.Errors)
                : invalid;
        }

        var (accepted, problem) = await generations.AcceptAsync(user, request!, cancellationToken);
        return problem ?? (IResult)TypedResults.Json(accepted, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ListAsync(HttpContext http, JobsDbContext db, DeliveryUrls urls, string? cursor, string? limit, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var errors = new Dictionary<string, string[]>();
        var (take, after) = KeysetCursor.ReadPage(cursor, limit, errors);
        if (errors.Count > 0)
        {
            return StoxProblems.Validation(errors);
        }

        var query = after is { } a
            ? db.Generations.FromSql($"""SELECT * FROM generations WHERE ("CreatedAt", "Id") < ({a.CreatedAt}, {a.Id})""")
            : db.Generations;
        var page = await query.AsNoTracking().Where(g => g.UserId == user.Id)
            .OrderByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id)
            .Take(take + 1)
            .ToListAsync(cancellationToken);
        var shown = page.Take(take).ToList();
        var ids = shown.Select(g => g.Id).ToList();
        var pictures = await db.Images.AsNoTracking().Where(i => i.GenerationId != null && ids.Contains(i.GenerationId.Value)).ToListAsync(cancellationToken);
        var byGeneration = pictures.ToLookup(i => i.GenerationId!.Value);
        return TypedResults.Ok(new GenerationListResponse(
            [.. shown.Select(g => View(g, byGeneration[g.Id], urls))],
            KeysetCursor.Next(page, take, g => (g.CreatedAt, g.Id))));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, JobsDbContext db, DeliveryUrls urls, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user || !Guid.TryParse(id, out var generationId))
        {
            return GenerationProblems.NotFound();
        }

        var generation = await db.Generations.AsNoTracking().SingleOrDefaultAsync(g => g.Id == generationId, cancellationToken);
        if (generation is null || (generation.UserId != user.Id && !user.IsAdmin))
        {
            return GenerationProblems.NotFound();
        }

        var pictures = await db.Images.AsNoTracking().Where(i => i.GenerationId == generationId).ToListAsync(cancellationToken);
        return TypedResults.Ok(View(generation, pictures, urls));
    }

    private static GenerationView View(Generation g, IEnumerable<Image> pictures, DeliveryUrls urls) => new(
        g.Id,
        g.Prompt,
        g.NegativePrompt,
        g.Style,
        g.AspectRatio,
        g.Seed,
        g.Count,
        g.Provider,
        g.Model,
        g.Status,
        g.Error,
        [.. pictures.OrderBy(i => i.Id).Select(i => new GeneratedImageView(
            i.Id,
            i.Status,
            i.Seed,
            i.Error,
            i.Status == ImageStatus.Complete && i.Variants.FirstOrDefault(v => v.Preset == "thumbnail" && v.Format == ImageFormats.Jpeg) is { } thumbnail
                ? urls.Download(thumbnail.Key)
                : null))],
        g.CreditsCharged,
        g.CreditsRefunded,
        g.CreatedAt,
        g.FinishedAt);
}
