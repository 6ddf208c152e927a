namespace Stox.Jobs.Data;

public static class GenerationStatus
{
    /// <summary>Accepted and paid for; waiting for the provider.</summary>
    public const string Pending = "pending";

    /// <summary>The provider is making the pictures.</summary>
    public const string Generating = "generating";

    /// <summary>Every picture was made and handed to processing.</summary>
    public const string Complete = "complete";

    /// <summary>Some pictures were made; the others were refunded.</summary>
    public const string Partial = "partial";

    /// <summary>No picture was made; everything was refunded.</summary>
    public const string Failed = "failed";

    public static bool IsFinal(string status) => status is Complete or Partial or Failed;
}

/// <summary>One prompt sent to a provider for one or more pictures; each picture is an ordinary <see cref="Image"/>.</summary>
public sealed class Generation
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Prompt { get; set; }

    public string? NegativePrompt { get; set; }

    public string? Style { get; set; }

    public required string AspectRatio { get; set; }

    public long? Seed { get; set; }

    public int Count { get; set; }

    public required string Provider { get; set; }

    public required string Model { get; set; }

    public required string Status { get; set; }

    /// <summary>Why pictures were not made, for a person to read.</summary>
    public string? Error { get; set; }

    public int CreditsCharged { get; set; }

    public int CreditsRefunded { get; set; }

    /// <summary>Processing settings the pictures get once made.</summary>
    public bool Enhance { get; set; }

    public string[] Formats { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a run last started asking the provider; a run silent far past it has died (see <see cref="Generations.StuckGenerations"/>).</summary>
    public DateTimeOffset? LastAttemptAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public List<Image> Images { get; set; } = [];
}

/// <summary>The kinds of ledger entries.</summary>
public static class CreditKind
{
    public const string Grant = "grant";
    public const string Purchase = "purchase";
    public const string Spend = "spend";
    public const string Refund = "refund";
    public const string Adjustment = "adjustment";
}

/// <summary>
/// A user's credit balance: the sum of their ledger entries, kept up to date in the same transaction as each
/// entry under a row lock, and never negative (a check constraint backs the code).
/// </summary>
public sealed class CreditAccount
{
    public Guid UserId { get; set; }

    public int Balance { get; set; }

    /// <summary>The tier last seen in the user's token; a grant made without a token (an admin's) uses it.</summary>
    public required string Tier { get; set; }

    /// <summary>First day of the last month whose grant was given.</summary>
    public DateOnly? LastGrantMonth { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One append-only ledger entry; <see cref="Reference"/> is unique, so applying an event twice changes nothing.</summary>
public sealed class CreditTransaction
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Kind { get; set; }

    /// <summary>Positive for credits given, negative for credits taken.</summary>
    public int Amount { get; set; }

    public int BalanceAfter { get; set; }

    public required string Reason { get; set; }

    /// <summary>What caused it: <c>grant:2026-12</c>, <c>generation:{id}</c>, <c>refund:{imageId}</c>, <c>stripe:{eventId}</c>, <c>admin:{id}</c>.</summary>
    public required string Reference { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
