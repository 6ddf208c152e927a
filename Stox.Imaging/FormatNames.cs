namespace Stox.Imaging;

/// <summary>Every name of each format, in one place: for people, for HTTP, for file names and for libvips.</summary>
public static class FormatNames
{
    /// <param name="Name">What people read: "JPEG", "WebP", "HEIC".</param>
    /// <param name="VipsOperation">The libvips loader of an input format, the saver of an output format.</param>
    public readonly record struct Names(string Name, string ContentType, string Extension, string VipsOperation);

    public static IReadOnlyList<ImageFormat> Accepted { get; } = Enum.GetValues<ImageFormat>();

    public static Names Of(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => new("JPEG", "image/jpeg", "jpg", "jpegload_buffer"),
        ImageFormat.Png => new("PNG", "image/png", "png", "pngload_buffer"),
        ImageFormat.WebP => new("WebP", "image/webp", "webp", "webpload_buffer"),
        ImageFormat.Gif => new("GIF", "image/gif", "gif", "gifload_buffer"),
        ImageFormat.Heic => new("HEIC", "image/heic", "heic", "heifload_buffer"),
        ImageFormat.Avif => new("AVIF", "image/avif", "avif", "heifload_buffer"),
        ImageFormat.Tiff => new("TIFF", "image/tiff", "tif", "tiffload_buffer"),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static Names Of(OutputFormat format) => format switch
    {
        OutputFormat.Jpeg => new("JPEG", "image/jpeg", "jpg", "jpegsave_buffer"),
        OutputFormat.WebP => new("WebP", "image/webp", "webp", "webpsave_buffer"),
        OutputFormat.Avif => new("AVIF", "image/avif", "avif", "heifsave_buffer"),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The format a client announces by content type (a pre-signed upload), or null for any other type.</summary>
    public static ImageFormat? FromContentType(string? contentType) => contentType?.ToLowerInvariant() switch
    {
        "image/jpg" => ImageFormat.Jpeg,
        "image/heif" => ImageFormat.Heic,
        var type => Accepted.Where(f => Of(f).ContentType == type).Select(f => (ImageFormat?)f).FirstOrDefault(),
    };

    /// <summary>"JPEG, PNG, WebP, ...": for messages that say what is accepted.</summary>
    public static string List(IEnumerable<ImageFormat> formats) => string.Join(", ", formats.Select(f => Of(f).Name));
}
