namespace Stox.Imaging;

/// <summary>Engine-wide settings. The libvips-level ones (cache, concurrency, logging) apply once per process.</summary>
public sealed class ImagingOptions
{
    /// <summary>
    /// The engine <see cref="ImageEngines.Create"/> makes: <c>vips</c> (default) or <c>skia</c> (SkiaSharp, handing
    /// HEIC/AVIF/TIFF inputs and AVIF outputs to libvips). See Stox.Imaging/README.md for how they compare.
    /// </summary>
    public string Engine { get; set; } = ImageEngines.Vips;

    /// <summary>libvips operation cache entries (0 = off, the default: every job sees new data).</summary>
    public int OperationCacheSize { get; set; }

    /// <summary>libvips worker threads per pipeline (0 = libvips' default, the core count).</summary>
    public int VipsConcurrency { get; set; }

    /// <summary>Encodes run in parallel within one job, up to this many at once.</summary>
    public int EncodeParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Decodes of concurrent jobs share this many bytes process-wide (default 90 MB: 30 MP of RGB at 3 bytes a
    /// pixel, 4 with alpha): a job waits before decoding until its decode fits, counted as the decoded image (twice
    /// for an enhanced job, for its enhanced copy) plus what the loader and a rotation hold until it is decoded
    /// (a progressive JPEG's coefficients, a WebP's canvas), and gives its share back as soon as nothing reads the
    /// image. Two 12 MP baseline photos decode side by side; a 24 MP one has the budget to itself. A decode larger
    /// than the budget runs alone, and takes the rest from <see cref="LargeEncodeBudgetBytes"/> while it decodes.
    /// </summary>
    public long DecodeBudgetBytes { get; set; } = 90_000_000;

    /// <summary>
    /// Encodes of images with at least <see cref="LargeEncodePixels"/> pixels share this many bytes of encoder memory
    /// process-wide (default 100 MB). Per pixel, measured with libvips 8.14 and libwebp 1.2.4: progressive JPEG with
    /// optimised coding 3 bytes (its coefficient buffer), WebP 2 (its YUV picture and tokens), AVIF 18 (libheif and
    /// aom). A 12 MP original's JPEG and WebP (60 MB) run side by side; a 24 MP original's (72 + 48 MB) one after the
    /// other; an AVIF encode of a large image runs alone.
    /// </summary>
    public long LargeEncodeBudgetBytes { get; set; } = 100_000_000;

    /// <summary>Images at least this large (pixels) are encoded under <see cref="LargeEncodeBudgetBytes"/> (default 4 MP).</summary>
    public long LargeEncodePixels { get; set; } = 4_000_000;

    /// <summary>Largest accepted image in pixels, all frames counted (default 100 MP).</summary>
    public long MaxPixels { get; set; } = 100_000_000;

    /// <summary>Largest accepted input in bytes (default 100 MB).</summary>
    public long MaxInputBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Deadline of one job unless the spec sets one.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>What the loaders treat as fatal: <c>none</c>, <c>truncated</c>, <c>error</c> or <c>warning</c> (default, as Sharp).</summary>
    public string FailOn { get; set; } = "warning";

    public int JpegQuality { get; set; } = 82;

    public int WebpQuality { get; set; } = 80;

    /// <summary>libwebp effort 0-6 (Sharp's default is 4).</summary>
    public int WebpEffort { get; set; } = 4;

    /// <summary>
    /// libwebp effort for images of <see cref="LargeEncodePixels"/> and more (the full-size original); null uses
    /// <see cref="WebpEffort"/>. The original is the largest encode and the least often served, so a lower effort
    /// there buys the most time for the fewest bytes (12 MP: effort 2 -> 1 is 30 % less CPU, 2.6 % more bytes).
    /// </summary>
    public int? LargeWebpEffort { get; set; }

    public int AvifQuality { get; set; } = 50;

    /// <summary>AV1 encoder effort 0-9 (Sharp's default is 4).</summary>
    public int AvifEffort { get; set; } = 4;

    /// <summary>Receives libvips' warnings (per-tile decode errors and the like); null drops them. Process-wide, first engine wins.</summary>
    public Action<string>? LogWarning { get; set; }

    /// <summary>The presets a job gets unless its spec names others.</summary>
    public IList<ImagePreset> Presets { get; init; } = [.. ImagePreset.Defaults];
}
