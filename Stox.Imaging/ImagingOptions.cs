namespace Stox.Imaging;

/// <summary>Engine-wide settings. The libvips-level ones (library, cache, concurrency) apply once per process.</summary>
public sealed class ImagingOptions
{
    /// <summary>libvips file to load; null uses <c>STOX_LIBVIPS_PATH</c>, else Debian's <c>libvips.so.42</c>.</summary>
    public string? LibraryPath { get; set; }

    /// <summary>libvips operation cache entries (0 = off, the default: every job sees new data).</summary>
    public int OperationCacheSize { get; set; }

    /// <summary>libvips worker threads per pipeline (0 = libvips' default, the core count).</summary>
    public int VipsConcurrency { get; set; }

    /// <summary>Encodes run in parallel within one job, up to this many at once.</summary>
    public int EncodeParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Decoded images of concurrent jobs share this many pixels process-wide (default 30 MP, about 90 MB of RGB):
    /// a job waits before decoding until its image fits (an enhanced job counts twice, for its enhanced copy).
    /// Two 12 MP photos decode side by side; a 24 MP one has the budget to itself. Bigger images than the
    /// budget run alone.
    /// </summary>
    public long DecodeBudgetPixels { get; set; } = 30_000_000;

    /// <summary>
    /// Encodes of images with at least <see cref="LargeEncodePixels"/> pixels share this many pixels process-wide
    /// (default 25 MP). A 24 MP WebP encode needs ~100 MB and a progressive JPEG ~65 MB on top of the decoded
    /// image, so this bounds the encoders' memory: a 12 MP original's JPEG and WebP run side by side, a 24 MP
    /// original's one after the other.
    /// </summary>
    public long LargeEncodeBudgetPixels { get; set; } = 25_000_000;

    /// <summary>Images at least this large (pixels) are encoded under <see cref="LargeEncodeBudgetPixels"/> (default 4 MP).</summary>
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
