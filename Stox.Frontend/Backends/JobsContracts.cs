using System.Text.Json.Serialization;

namespace Stox.Frontend.Backends;

public static class ImageStatus
{
    public const string Pending = "pending";
    public const string Processing = "processing";
    public const string Complete = "complete";
    public const string Failed = "failed";

    public static readonly string[] All = [Pending, Processing, Complete, Failed];

    public static bool IsFinal(string? status) => status is Complete or Failed;
}

public sealed record ImagePage(IReadOnlyList<ImageListItem> Items, string? NextCursor);

public sealed record ImageListItem(
    string Id,
    string OriginalName,
    string Status,
    DateTimeOffset CreatedAt,
    int? Width,
    int? Height,
    string? ThumbnailUrl,
    ThumbnailSet? Thumbnails,
    string? Placeholder,
    string? DominantColor,
    string? GenerationId = null)
{
    public bool IsGenerated => GenerationId is not null;
}

/// <summary>Which images the gallery lists: <c>source=uploaded|generated</c> on <c>GET /api/images</c>.</summary>
public static class ImageSource
{
    public const string Uploaded = "uploaded";
    public const string Generated = "generated";

    public static readonly string[] All = [Uploaded, Generated];
}

public sealed record ThumbnailSet(string? Jpeg, string? Webp, string? Avif);

public sealed record ImageDetail(
    string Id,
    string OriginalName,
    string Status,
    string? Error,
    double? Progress,
    DateTimeOffset CreatedAt,
    bool Enhance,
    OriginalInfo? Original,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, VariantInfo>>? Variants,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, VariantInfo>>? Enhanced,
    string? Placeholder,
    string? DominantColor,
    ImageGeneration? Generation = null);

/// <summary>The generation a picture came from (null for an upload).</summary>
public sealed record ImageGeneration(
    string Id,
    string Prompt,
    string? NegativePrompt,
    string? Style,
    string? AspectRatio,
    string? Provider,
    string? Model,
    long? Seed,
    DateTimeOffset CreatedAt);

public sealed record OriginalInfo(int? Width, int? Height, string? Format, long? Bytes);

public sealed record VariantInfo(string? Url, int Width, int Height, long Bytes);

public sealed record Upload(string Id, string? JobId, string Status, string? OriginalName);

public sealed record UploadBatch(IReadOnlyList<Upload> Images);

public sealed record DirectUploadRequest(string FileName, string ContentType, long Size, bool? Enhance);

public sealed record DirectUpload(
    string Id,
    string UploadUrl,
    string Method,
    IReadOnlyDictionary<string, string>? Headers,
    DateTimeOffset? ExpiresAt,
    [property: JsonPropertyName("completeUrl")] string? CompleteUrl);

/// <summary>The presets jobs writes, smallest first.</summary>
public static class Presets
{
    public static readonly string[] Ordered = ["thumbnail", "small", "medium", "large", "original"];

    public static int Rank(string preset) => Array.IndexOf(Ordered, preset) is var i and >= 0 ? i : Ordered.Length;
}
