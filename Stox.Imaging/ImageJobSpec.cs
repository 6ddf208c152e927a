namespace Stox.Imaging;

/// <summary>Encoded output formats.</summary>
[Flags]
public enum OutputFormats
{
    None = 0,
    Jpeg = 1,
    WebP = 2,
    Avif = 4,

    /// <summary>The default set: JPEG and WebP.</summary>
    Default = Jpeg | WebP,
}

/// <summary>What one job produces.</summary>
public sealed record ImageJobSpec
{
    /// <summary>Sizes to produce; null uses <see cref="ImagingOptions.Presets"/>.</summary>
    public IReadOnlyList<ImagePreset>? Presets { get; init; }

    public OutputFormats Formats { get; init; } = OutputFormats.Default;

    /// <summary>Also produce the enhanced set (same presets and formats) in <see cref="ImageProcessingResult.Enhanced"/>.</summary>
    public bool Enhance { get; init; }

    /// <summary>Enhancement strength, 0 (none) to 1 (strong); 0.5 is the tuned default.</summary>
    public double EnhanceStrength { get; init; } = 0.5;

    /// <summary>Apply a mild median denoise before enhancing (for noisy low-light phone photos).</summary>
    public bool EnhanceDenoise { get; init; }

    /// <summary>Compute the BlurHash placeholder and the dominant colour.</summary>
    public bool Placeholder { get; init; } = true;

    /// <summary>Overrides <see cref="ImagingOptions.MaxPixels"/>.</summary>
    public long? MaxPixels { get; init; }

    /// <summary>Overrides <see cref="ImagingOptions.DefaultTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    public static ImageJobSpec Default { get; } = new();
}
