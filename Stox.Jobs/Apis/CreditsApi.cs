using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stox.Jobs.Credits;
using Stox.Jobs.Data;
using Stox.Jobs.Generations;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.ServiceDefaults.Problems;

namespace Stox.Jobs.Apis;

/// <summary>The credits API: the caller's balance and ledger, admin grants, and Stripe's purchase webhook.</summary>
public static partial class CreditsApi
{
    private const int MaxWebhookBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapCreditsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/credits").RequireAuthorization().WithTags("Credits")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/", GetAsync)
            .WithSummary("The caller's balance, tier, monthly grant and when the next one comes")
            .Produces<CreditsResponse>();
        api.MapGet("/transactions", ListTransactionsAsync)
            .WithSummary("The caller's ledger, newest first (keyset pagination): grants, purchases, spends, refunds")
            .Produces<CreditTransactionListResponse>()
            .ProducesValidationProblem();

        app.MapPost("/api/credits/webhooks/stripe", StripeWebhookAsync)
            .AllowAnonymous()
            .WithTags("Credits")
            .WithSummary("Stripe's signed webhook (Stripe-Signature): a paid checkout credits its pack once per event")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapPost("/api/admin/credits/{userId}", AdjustAsync)
            .RequireAuthorization()
            .WithTags("Credits")
            .WithSummary("Admin: grant (positive amount) or take (negative) a user's credits, with a reason")
            .Produces<CreditAdjustmentResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> GetAsync(HttpContext http, JobsDbContext db, CreditLedger ledger, GenerationService generations, IOptions<CreditsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var account = await db.InTransactionAsync(ct => ledger.LockAsync(user.Id, user.Tier, ct), cancellationToken);
        return TypedResults.Ok(new CreditsResponse(
            account.Balance,
            account.Tier,
            options.Value.MonthlyGrantOf(account.Tier),
            CreditLedger.NextGrantAt(time.GetUtcNow()),
            generations.CostPerImage));
    }

    private static async Task<IResult> ListTransactionsAsync(HttpContext http, JobsDbContext db, string? cursor, string? limit, CancellationToken cancellationToken)
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
            ? db.CreditTransactions.FromSql($"""SELECT * FROM credit_transactions WHERE ("CreatedAt", "Id") < ({a.CreatedAt}, {a.Id})""")
            : db.CreditTransactions;
        var page = await query.AsNoTracking().Where(t => t.UserId == user.Id)
            .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
            .Take(take + 1)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new CreditTransactionListResponse(
            [.. page.Take(take).Select(View)],
            KeysetCursor.Next(page, take, t => (t.CreatedAt, t.Id))));
    }

    private static async Task<IResult> AdjustAsync(string userId, HttpContext http, JobsDbContext db, CreditLedger ledger, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } admin)
        {
            return Problems.Unauthenticated();
        }

        if (!admin.IsAdmin)
        {
            return StoxProblems.Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "Only administrators can grant or take credits.");
        }

        if (!Guid.TryParse(userId, out var targetId))
        {
            return StoxProblems.Validation("userId", "userId must be a user id (a GUID).");
        }

        var (request, invalid) = await JsonBody.ReadAsync<CreditAdjustmentRequest>(http.Request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var errors = new Dictionary<string, string[]>();
        if (request!.Amount is not { } amount || amount == 0 || Math.Abs((long)amount) > 1_000_000)
        {
            errors["amount"] = ["amount must be a whole number of credits from -1000000 to 1000000, not 0: positive grants, negative takes."];
        }

        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 200)
        {
            errors["reason"] = ["Give a reason of 1 to 200 characters; the user sees it in their transactions."];
        }

        if (errors.Count > 0)
        {
            return StoxProblems.Validation(errors);
        }

        var now = time.GetUtcNow();
        var (account, entry) = await db.InTransactionAsync<(CreditAccount, CreditTransaction?)>(async ct =>
        {
            var account = await ledger.LockAsync(targetId, tier: null, ct);
            if (account.Balance + request.Amount!.Value < 0)
            {
                return (account, null);
            }

            var entry = await ledger.PostAsync(account, CreditKind.Adjustment, request.Amount.Value, reason!, $"admin:{Guid.CreateVersion7(now):N}", ct);
            return (account, entry);
        }, cancellationToken);

        if (entry is null)
        {
            return GenerationProblems.CannotTake(-request.Amount!.Value, account.Balance);
        }

        LogAdjusted(loggers.CreateLogger(typeof(CreditsApi)), admin.Id, targetId, entry.Amount, entry.Reason);
        return TypedResults.Ok(new CreditAdjustmentResponse(targetId, account.Balance, View(entry)));
    }

    private static async Task<IResult> StripeWebhookAsync(HttpContext http, CreditPurchases purchases, IOptions<CreditsOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(CreditsApi));
        var stripe = options.Value.Stripe;
        if (string.IsNullOrEmpty(stripe.WebhookSecret))
        {
            return StoxProblems.Create(503, "purchases-not-configured", "Purchases are off",
                "Credit purchases are not configured on this server: set the Stripe webhook signing secret.");
        }

        if (http.Request.ContentLength > MaxWebhookBytes)
        {
            return StoxProblems.Create(413, "payload-too-large", "Event too large", $"A webhook event is at most {MaxWebhookBytes / 1024} KB.");
        }

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, cancellationToken);
        if (body.Length > MaxWebhookBytes)
        {
            return StoxProblems.Create(413, "payload-too-large", "Event too large", $"A webhook event is at most {MaxWebhookBytes / 1024} KB.");
        }

        var payload = body.GetBuffer().AsMemory(0, (int)body.Length);
        var check = StripeSignature.Check(http.Request.Headers[StripeSignature.HeaderName], payload.Span, stripe.WebhookSecret, stripe.Tolerance, time.GetUtcNow());
        if (check != StripeSignatureCheck.Valid)
        {
            LogRefused(logger, check, http.Connection.RemoteIpAddress?.ToString());
            return StoxProblems.Create(400, "invalid-signature", "Invalid signature", check switch
            {
                StripeSignatureCheck.Missing => "The request has no Stripe-Signature header.",
                StripeSignatureCheck.Malformed => "The Stripe-Signature header is not of the form t=...,v1=....",
                StripeSignatureCheck.OutsideTolerance => $"The event was signed more than {stripe.Tolerance.TotalMinutes:0} minutes from now; a replayed event is refused.",
                _ => "The Stripe-Signature does not match this endpoint's signing secret.",
            });
        }

        var result = await purchases.ApplyAsync(payload, cancellationToken);
        if (result.Error is { } error)
        {
            LogUnusable(logger, error);
            return StoxProblems.Create(422, "unusable-event", "Event cannot be used", error);
        }

        if (result.Entry is { } entry)
        {
            LogCredited(logger, entry.UserId, entry.Amount, entry.Reference);
        }

        return TypedResults.Ok(new { received = true, outcome = result.Outcome.ToString().ToLowerInvariant() });
    }

    private static CreditTransactionView View(CreditTransaction t) => new(t.Id, t.Kind, t.Amount, t.BalanceAfter, t.Reason, t.Reference, t.CreatedAt);

    [LoggerMessage(EventId = 410, EventName = "CreditsAdjusted", Level = LogLevel.Information, Message = "Admin {AdminId} changed the credits of {UserId} by {Amount}: {Reason}")]
    private static partial void LogAdjusted(ILogger logger, Guid adminId, Guid userId, int amount, string reason);

    [LoggerMessage(EventId = 411, EventName = "StripeWebhookRefused", Level = LogLevel.Warning, Message = "A Stripe webhook from {RemoteIp} was refused: {Check}.")]
    private static partial void LogRefused(ILogger logger, StripeSignatureCheck check, string? remoteIp);

    [LoggerMessage(EventId = 412, EventName = "StripeEventUnusable", Level = LogLevel.Error, Message = "A signed Stripe event cannot be used: {Error}")]
    private static partial void LogUnusable(ILogger logger, string error);

    [LoggerMessage(EventId = 413, EventName = "CreditsPurchased", Level = LogLevel.Information, Message = "{UserId} bought {Amount} credits ({Reference}).")]
    private static partial void LogCredited(ILogger logger, Guid userId, int amount, string reference);
}
