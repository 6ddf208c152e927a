namespace Stox.Imaging;

/// <summary>Input formats the engine accepts.</summary>
public enum ImageFormat
{
    Jpeg,
    Png,
    WebP,
    Gif,
    Heic,
    Avif,
    Tiff,
}

/// <summary>Output formats of a variant.</summary>
public enum OutputFormat
{
    Jpeg,
    WebP,
    Avif,
}

/// <summary>What the header says about an input (read without decoding pixels).</summary>
public sealed record ImageInfo(
    ImageFormat Format,
    int Width,
    int Height,
    int Pages,
    long Bytes,
    bool HasAlpha,
    int Orientation,
    bool HasIccProfile,
    string ColourSpace)
{
    /// <summary>Width and height after EXIF auto-orientation.</summary>
    public (int Width, int Height) OrientedSize => Orientation is >= 5 and <= 8 ? (Height, Width) : (Width, Height);

    public string ContentType => ContentTypeOf(Format);

    public static string ContentTypeOf(ImageFormat format) => FormatNames.Of(format).ContentType;
}

/// <summary>One encoded output.</summary>
public sealed record EncodedVariant(string Preset, OutputFormat Format, int Width, int Height, byte[] Data)
{
    public long Bytes => Data.LongLength;

    public string ContentType => ContentTypeOf(Format);

    /// <summary>File extension without the dot: jpg, webp, avif.</summary>
    public string Extension => FormatNames.Of(Format).Extension;

    public Stream OpenRead() => new MemoryStream(Data, writable: false);

    public static string ContentTypeOf(OutputFormat format) => FormatNames.Of(format).ContentType;
}

/// <summary>Everything one job produced.</summary>
public sealed record ImageProcessingResult(
    ImageInfo Original,
    IReadOnlyList<EncodedVariant> Variants,
    IReadOnlyList<EncodedVariant> Enhanced,
    string? Placeholder,
    string? DominantColor,
    TimeSpan Elapsed);
