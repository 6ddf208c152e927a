using System.Text.Json;
using Microsoft.Extensions.Options;
using Stox.Jobs.Data;
using Stox.Jobs.Images;

namespace Stox.Jobs.Credits;

public enum PurchaseOutcome
{
    /// <summary>The pack was credited.</summary>
    Credited,

    /// <summary>This event was credited before; nothing changed.</summary>
    AlreadyCredited,

    /// <summary>An event Stox does not act on (another type, or a checkout not paid yet).</summary>
    Ignored,
}

/// <summary>The result of a verified webhook event: what happened, or why the event cannot be used.</summary>
public sealed record PurchaseResult(PurchaseOutcome Outcome, string? Error = null, CreditTransaction? Entry = null);

/// <summary>
/// Credits packs paid for through Stripe Checkout. The checkout session names the buyer in
/// <c>client_reference_id</c> (or <c>metadata.user_id</c>) and the pack in <c>metadata.pack</c>. A session is
/// credited when <c>checkout.session.completed</c> reports it paid, or when
/// <c>checkout.session.async_payment_succeeded</c> arrives for a delayed payment; each event id is credited once.
/// </summary>
public sealed class CreditPurchases(JobsDbContext db, CreditLedger ledger, IOptions<CreditsOptions> options)
{
    public async Task<PurchaseResult> ApplyAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        StripeEvent? stripeEvent;
        try
        {
            stripeEvent = JsonSerializer.Deserialize<StripeEvent>(payload.Span, JsonOptions);
        }
        catch (JsonException)
        {
            return new PurchaseResult(PurchaseOutcome.Ignored, "The event is not valid JSON.");
        }

        if (stripeEvent is not { Id.Length: > 0 and <= 100, Type.Length: > 0 })
        {
            return new PurchaseResult(PurchaseOutcome.Ignored, "The event has no id or type.");
        }

        var session = stripeEvent.Data?.Object;
        var paid = stripeEvent.Type switch
        {
            "checkout.session.completed" => session?.PaymentStatus is "paid" or "no_payment_required",
            "checkout.session.async_payment_succeeded" => true,
            _ => false,
        };
        if (!paid)
        {
            return new PurchaseResult(PurchaseOutcome.Ignored);
        }

        var buyer = session?.ClientReferenceId ?? session?.Metadata?.GetValueOrDefault("user_id");
        if (!Guid.TryParse(buyer, out var userId))
        {
            return new PurchaseResult(PurchaseOutcome.Ignored, "The checkout session names no Stox user (client_reference_id or metadata.user_id).");
        }

        var pack = session?.Metadata?.GetValueOrDefault("pack");
        if (pack is null || !options.Value.Packs.TryGetValue(pack, out var credits))
        {
            return new PurchaseResult(PurchaseOutcome.Ignored,
                $"The checkout session's metadata.pack is '{pack}', which is not one of {string.Join(", ", options.Value.Packs.Keys)}.");
        }

        var entry = await db.InTransactionAsync(async ct =>
        {
            var account = await ledger.LockAsync(userId, tier: null, ct);
            return await ledger.PostAsync(account, CreditKind.Purchase, credits, $"Bought the {pack} pack ({credits} credits)", $"stripe:{stripeEvent.Id}", ct);
        }, cancellationToken);
        return entry is null ? new PurchaseResult(PurchaseOutcome.AlreadyCredited) : new PurchaseResult(PurchaseOutcome.Credited, Entry: entry);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private sealed record StripeEvent(string? Id, string? Type, StripeEventData? Data);

    private sealed record StripeEventData(CheckoutSession? Object);

    private sealed record CheckoutSession(string? Id, string? ClientReferenceId, string? PaymentStatus, Dictionary<string, string>? Metadata);
}
