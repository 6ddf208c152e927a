using Stox.Frontend.Backends;
using Stox.Frontend.Images;

namespace Stox.Frontend.Gallery;

/// <summary>What one gallery tile shows, from a list item or from an image's details.</summary>
public sealed record CardModel(
    string Id,
    string Name,
    string Status,
    double? Progress,
    string? Jpeg,
    string? Webp,
    string? Avif,
    string? Placeholder,
    string? DominantColor,
    bool Generated = false,
    string? Error = null)
{
    public bool IsComplete => Status == ImageStatus.Complete;

    public static CardModel From(ImageListItem item) => new(
        item.Id,
        item.OriginalName,
        item.Status,
        null,
        MediaEndpoints.Resolve(item.Thumbnails?.Jpeg ?? item.ThumbnailUrl) ?? Fallback(item.Id, item.Status, "jpeg"),
        MediaEndpoints.Resolve(item.Thumbnails?.Webp) ?? Fallback(item.Id, item.Status, "webp"),
        MediaEndpoints.Resolve(item.Thumbnails?.Avif),
        item.Placeholder,
        SafeColor(item.DominantColor),
        item.IsGenerated);

    public static CardModel From(ImageDetail image)
    {
        var thumbnail = image.Variants?.GetValueOrDefault("thumbnail");
        return new(
            image.Id,
            image.OriginalName,
            image.Status,
            image.Progress,
            MediaEndpoints.Resolve(thumbnail?.GetValueOrDefault("jpeg")?.Url) ?? Fallback(image.Id, image.Status, "jpeg"),
            MediaEndpoints.Resolve(thumbnail?.GetValueOrDefault("webp")?.Url) ?? Fallback(image.Id, image.Status, "webp"),
            MediaEndpoints.Resolve(thumbnail?.GetValueOrDefault("avif")?.Url),
            image.Placeholder,
            SafeColor(image.DominantColor),
            image.Generation is not null,
            image.Status == ImageStatus.Failed ? FailureText(image) : null);
    }

    public bool IsFailed => Status == ImageStatus.Failed;

    /// <summary>Why a picture failed, in words: jobs' error, or a sentence for a file that could not be read.</summary>
    public static string FailureText(ImageDetail image) =>
        !string.IsNullOrWhiteSpace(image.Error) ? image.Error!
        : image.Generation is not null ? "The picture could not be generated."
        : "The file could not be read as an image.";

    /// <summary>The sharper variant for high-density screens (the square thumbnail is 150 px).</summary>
    public string Sharper(string format) => MediaEndpoints.Url(Id, "small", format);

    private static string? Fallback(string id, string status, string format) =>
        status == ImageStatus.Complete ? MediaEndpoints.Url(id, "thumbnail", format) : null;

    // The colour lands in a style attribute: only #rgb / #rrggbb pass.
    internal static string? SafeColor(string? color) =>
        color is { Length: 4 or 7 } && color[0] == '#' && color.Skip(1).All(char.IsAsciiHexDigit) ? color : null;
}
