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

/// <summary>Output format names used in <see cref="ImageJobRequestedV1.Formats"/> and <see cref="VariantV1.Format"/>.</summary>
public static class ImageFormats
{
    public const string Jpeg = "jpeg";
    public const string WebP = "webp";
    public const string Avif = "avif";

    public static readonly IReadOnlyList<string> Default = [Jpeg, WebP];

    public static readonly IReadOnlyList<string> All = [Jpeg, WebP, Avif];
}

/// <summary>
/// A stage of a job started or advanced. <see cref="Stage"/> is one of <see cref="ImageJobStages"/>;
/// <see cref="Attempt"/> counts deliveries (1 for the first). Processing sends one at least every
/// <see cref="ImageJobStages.HeartbeatInterval"/> while it works, so jobs can tell a live job from a stuck one.
/// </summary>
[MessageType("image-job-progress.v1")]
public sealed record ImageJobProgressV1(
    Guid JobId,
    Guid ImageId,
    Guid UserId,
    string Stage,
    int Percent,
    int Attempt,
    string Worker,
    DateTimeOffset At);

public static class ImageJobStages
{
    public const string Started = "started";
    public const string Downloaded = "downloaded";
    public const string Processed = "processed";
    public const string Stored = "stored";
    public const string Heartbeat = "heartbeat";

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);
}

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

/// <summary>The uploaded original as decoded: <see cref="Format"/> is the input format's lower-case name (jpeg, png, heic...).</summary>
public sealed record ImageInfoV1(int Width, int Height, string Format, long Bytes);

/// <summary>One stored output: <see cref="Preset"/> is thumbnail, small, medium, large or original; <see cref="Format"/> one of <see cref="ImageFormats"/>.</summary>
public sealed record VariantV1(string Preset, string Format, int Width, int Height, long Bytes, string ContentType, string Key);
