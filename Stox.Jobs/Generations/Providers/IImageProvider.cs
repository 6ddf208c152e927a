namespace Stox.Jobs.Generations.Providers;

/// <summary>One AI image provider behind one narrow call; retries, timeouts and error translation live inside it.</summary>
public interface IImageProvider
{
    /// <summary><c>stability</c> or <c>openai</c>.</summary>
    string Name { get; }

    /// <summary>The configured model (e.g. <c>core</c>, <c>sd3.5-large</c>, <c>gpt-image-1</c>).</summary>
    string Model { get; }

    /// <summary>Generates <see cref="ProviderRequest.Count"/> images.</summary>
    /// <exception cref="ProviderException">The provider refused, failed, or could not be reached after every attempt.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    Task<IReadOnlyList<ProviderImage>> GenerateAsync(ProviderRequest request, CancellationToken ct);
}

/// <param name="Prompt">What to draw.</param>
/// <param name="NegativePrompt">What to keep out of the image, if anything.</param>
/// <param name="Style">One of <see cref="ImageStyles.All"/>, or null.</param>
/// <param name="AspectRatio">One of <see cref="AspectRatios.All"/>.</param>
/// <param name="Seed">Fixes the randomness where the provider supports it; image i gets <c>Seed + i</c>.</param>
/// <param name="Count">Images wanted (at least 1).</param>
public sealed record ProviderRequest(string Prompt, string? NegativePrompt, string? Style, string AspectRatio, long? Seed, int Count);

/// <param name="Bytes">The encoded image (PNG where the provider lets us choose).</param>
/// <param name="Seed">The seed the provider used, when it says.</param>
/// <param name="FinishReason">The provider's own word for how generation ended (Stability: <c>SUCCESS</c>).</param>
public sealed record ProviderImage(byte[] Bytes, long? Seed, string? FinishReason);

/// <summary>The aspect ratios both providers can serve (Stability's list; OpenAI maps them onto its sizes).</summary>
public static class AspectRatios
{
    public const string Default = "1:1";

    public static IReadOnlyList<string> All { get; } = ["1:1", "16:9", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"];

    public static bool IsSupported(string? ratio) => ratio is not null && All.Contains(ratio, StringComparer.Ordinal);

    /// <summary>Width over height of a supported ratio, e.g. 16:9 -> 1.78.</summary>
    internal static double Value(string ratio)
    {
        var colon = ratio.IndexOf(':', StringComparison.Ordinal);
        return double.Parse(ratio.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture)
            / double.Parse(ratio.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Stability AI's <c>style_preset</c> names; OpenAI gets the style as words appended to the prompt.</summary>
public static class ImageStyles
{
    public static IReadOnlyList<string> All { get; } =
    [
        "3d-model", "analog-film", "anime", "cinematic", "comic-book", "digital-art", "enhance", "fantasy-art", "isometric",
        "line-art", "low-poly", "modeling-compound", "neon-punk", "origami", "photographic", "pixel-art", "tile-texture",
    ];

    public static bool IsSupported(string? style) => style is not null && All.Contains(style, StringComparer.Ordinal);
}
