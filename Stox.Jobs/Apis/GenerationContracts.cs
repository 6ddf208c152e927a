namespace Stox.Jobs.Apis;

/// <summary><c>POST /api/generations</c>: <c>formats</c> and <c>enhance</c> are the processing settings, as for an upload.</summary>
public sealed record GenerationRequest(
    string? Prompt,
    string? NegativePrompt,
    string? Style,
    string? AspectRatio,
    long? Seed,
    int? Count,
    bool? Enhance,
    string? Formats);

public sealed record GeneratedImageRef(Guid Id, string Status, string StatusUrl);

public sealed record GenerationAccepted(Guid Id, string Status, IReadOnlyList<GeneratedImageRef> Images, int CreditsCharged, int Balance, string EventsUrl);

public sealed record GenerationView(
    Guid Id,
    string Prompt,
    string? NegativePrompt,
    string? Style,
    string AspectRatio,
    long? Seed,
    int Count,
    string Provider,
    string Model,
    string Status,
    string? Error,
    IReadOnlyList<GeneratedImageView> Images,
    int CreditsCharged,
    int CreditsRefunded,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt);

/// <summary>A picture of a generation; <c>Deleted</c> when its owner has removed it since.</summary>
public sealed record GeneratedImageView(Guid Id, string Status, long? Seed, string? Error, string? ThumbnailUrl);

public sealed record GenerationListResponse(IReadOnlyList<GenerationView> Items, string? NextCursor);

/// <summary>What the web app needs to draw the Create page: whether generation is on, what it costs, what it accepts.</summary>
public sealed record GenerationOptionsResponse(
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

/// <summary>The generation a picture came from, on <c>GET /api/images/{id}</c>.</summary>
public sealed record ImageGenerationInfo(Guid Id, string Prompt, string? NegativePrompt, string? Style, string AspectRatio, string Provider, string Model, long? Seed, DateTimeOffset CreatedAt);

public sealed record CreditsResponse(int Balance, string Tier, int MonthlyGrant, DateTimeOffset NextGrantAt, int CostPerImage);

public sealed record CreditTransactionView(Guid Id, string Kind, int Amount, int BalanceAfter, string Reason, string Reference, DateTimeOffset CreatedAt);

public sealed record CreditTransactionListResponse(IReadOnlyList<CreditTransactionView> Items, string? NextCursor);

/// <summary><c>POST /api/admin/credits/{userId}</c>: a positive amount grants, a negative one takes.</summary>
public sealed record CreditAdjustmentRequest(int? Amount, string? Reason);

public sealed record CreditAdjustmentResponse(Guid UserId, int Balance, CreditTransactionView Transaction);
