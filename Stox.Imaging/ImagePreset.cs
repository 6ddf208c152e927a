namespace Stox.Imaging;

/// <summary>How a preset fits the image into its box.</summary>
public enum PresetFit
{
    /// <summary>Scale down to fit inside the box, keeping the aspect ratio; never upscale.</summary>
    Inside,

    /// <summary>Scale to cover the box, then crop to it (smart crop: attention); never upscale.</summary>
    Cover,

    /// <summary>Full size, re-encoded without metadata.</summary>
    Original,
}

/// <summary>One output size.</summary>
public sealed record ImagePreset(string Name, int Width, int Height, PresetFit Fit)
{
    public static ImagePreset Thumbnail { get; } = new("thumbnail", 150, 150, PresetFit.Cover);

    public static ImagePreset Small { get; } = new("small", 480, 480, PresetFit.Inside);

    public static ImagePreset Medium { get; } = new("medium", 1024, 1024, PresetFit.Inside);

    public static ImagePreset Large { get; } = new("large", 1920, 1920, PresetFit.Inside);

    public static ImagePreset Original { get; } = new("original", 0, 0, PresetFit.Original);

    /// <summary>The earlier multi-resolution system's set: thumbnail, small, medium, large, original.</summary>
    public static IReadOnlyList<ImagePreset> Defaults { get; } = [Thumbnail, Small, Medium, Large, Original];
}
