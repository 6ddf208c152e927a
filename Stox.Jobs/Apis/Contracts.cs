namespace Stox.Jobs.Apis;

/// <summary>The answer to an accepted upload, complete or reprocess.</summary>
public sealed record UploadResponse(Guid Id, Guid JobId, string Status, string OriginalName, string StatusUrl, string EventsUrl);

public sealed record UploadBatchResponse(IReadOnlyList<UploadResponse> Images);

public sealed record PresignedUploadRequest(string? FileName, string? ContentType, long? Size, bool? Enhance, string? Formats);

public sealed record PresignedUploadResponse(Guid Id, string UploadUrl, string Method, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt, string CompleteUrl);

public sealed record ReprocessRequest(bool? Enhance);

public sealed record ImageListResponse(IReadOnlyList<ImageListItem> Items, string? NextCursor);

public sealed record ImageListItem(
    Guid Id,
    string OriginalName,
    string Status,
    DateTimeOffset CreatedAt,
    int? Width,
    int? Height,
    string? ThumbnailUrl,
    IReadOnlyDictionary<string, string> Thumbnails,
    string? Placeholder,
    string? DominantColor,
    Guid? GenerationId);

public sealed record ImageStatusResponse(string Status, string? Error, int Progress);

public sealed record OriginalInfo(int? Width, int? Height, string? Format, long Bytes, string ContentType);

public sealed record VariantInfo(string Url, int Width, int Height, long Bytes);

public sealed record ImageTimings(DateTimeOffset? QueuedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

public sealed record JobInfo(Guid Id, string Status, int Attempts, string? Worker, string? Stage);

public sealed record ImageDetail(
    Guid Id,
    string OriginalName,
    string Status,
    string? Error,
    int Progress,
    DateTimeOffset CreatedAt,
    bool Enhance,
    IReadOnlyList<string> Formats,
    OriginalInfo Original,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, VariantInfo>> Variants,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, VariantInfo>>? Enhanced,
    string? Placeholder,
    string? DominantColor,
    ImageTimings Timings,
    JobInfo? Job,
    ImageGenerationInfo? Generation);

public sealed record UsageResponse(long Images, long BytesStored, long UploadsThisMonth);
