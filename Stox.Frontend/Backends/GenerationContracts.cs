namespace Stox.Frontend.Backends;

/// <summary><c>GET /api/generations/options</c>: whether generation is on, what it costs and accepts, the caller's balance.</summary>
public sealed record GenerationOptions(
    bool Enabled,
    string? DisabledReason,
    string? Provider,
    string? Model,
    int CostPerImage,
    int MaxCount,
    int MaxPromptLength,
    IReadOnlyList<string> Styles,
    IReadOnlyList<string> AspectRatios,
    int Balance);

/// <summary><c>POST /api/generations</c>.</summary>
public sealed record GenerationRequest(
    string? Prompt,
    string? NegativePrompt,
    string? Style,
    string? AspectRatio,
    long? Seed,
    int? Count);

public sealed record GeneratedImageRef(string Id, string Status, string? StatusUrl);

public sealed record GenerationAccepted(string Id, string Status, IReadOnlyList<GeneratedImageRef> Images, int CreditsCharged, int Balance, string? EventsUrl);

/// <summary><c>GET /api/credits</c>.</summary>
public sealed record Credits(int Balance, string Tier, int MonthlyGrant, DateTimeOffset NextGrantAt, int CostPerImage);

public sealed record CreditTransaction(string Id, string Kind, int Amount, int BalanceAfter, string? Reason, string? Reference, DateTimeOffset CreatedAt);

public sealed record CreditTransactionPage(IReadOnlyList<CreditTransaction> Items, string? NextCursor);

/// <summary><c>POST /api/admin/credits/{userId}</c>: a positive amount grants, a negative one takes.</summary>
public sealed record CreditAdjustment(int Amount, string Reason);

public sealed record CreditAdjusted(string UserId, int Balance, CreditTransaction Transaction);
