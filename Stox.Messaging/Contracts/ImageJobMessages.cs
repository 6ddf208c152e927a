namespace Stox.Messaging.Contracts;

/// <summary>Jobs asks processing to produce an image's variants. Sent through the outbox, so at least once.</summary>
[MessageType("image-job-requested.v1")]
public sealed record ImageJobRequestedV1(
    Guid JobId,
    Guid ImageId,
    Guid UserId,
    string OriginalKey,
    string OriginalName,
    bool Enhance,
    IReadOnlyList<string> Formats,
    DateTimeOffset RequestedAt);

/// <summary>A stage of a job started or advanced (decoded, resized, uploaded...).</summary>
[MessageType("image-job-progress.v1")]
public sealed record ImageJobProgressV1(
    Guid JobId,
    Guid ImageId,
    Guid UserId,
    string Stage,
    int Percent,
    string Worker,
    DateTimeOffset At);

/// <summary>Every variant is in storage under its deterministic key.</summary>
[MessageType("image-job-completed.v1")]
public sealed record ImageJobCompletedV1(
    Guid JobId,
    Guid ImageId,
    Guid UserId,
    ImageInfoV1 Original,
    IReadOnlyList<VariantV1> Variants,
    IReadOnlyList<VariantV1> Enhanced,
    string? Placeholder,
    string? DominantColor,
    string Worker,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt);

/// <summary>The job cannot be done: <see cref="Error"/> is for a person to read.</summary>
[MessageType("image-job-failed.v1")]
public sealed record ImageJobFailedV1(
    Guid JobId,
    Guid ImageId,
    Guid UserId,
    string Error,
    bool Permanent,
    int Attempts,
    string Worker,
    DateTimeOffset At);

public sealed record ImageInfoV1(int Width, int Height, string Format, long Bytes);

public sealed record VariantV1(string Preset, string Format, int Width, int Height, long Bytes, string ContentType, string Key);
