using Stox.Imaging.Skia;

namespace Stox.Imaging;

/// <summary>The engine a process runs, by name (<see cref="ImagingOptions.Engine"/>).</summary>
public static class ImageEngines
{
    public const string Vips = "vips";
    public const string Skia = "skia";

    public static IReadOnlyList<string> Names { get; } = [Vips, Skia];

    /// <summary>
    /// <c>vips</c>: <see cref="VipsImageEngine"/>; <c>skia</c>: <see cref="SkiaImageEngine"/>, which hands what it
    /// cannot do (HEIC, AVIF, TIFF inputs, AVIF outputs) to a libvips engine of the same options.
    /// </summary>
    public static IImageEngine Create(ImagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Engine.ToLowerInvariant() switch
        {
            Vips => new VipsImageEngine(options),
            Skia => new SkiaImageEngine(options, new VipsImageEngine(options)),
            var other => throw new ArgumentException(
                $"Unknown imaging engine '{other}' (Processing:Imaging:Engine): use {string.Join(" or ", Names)}.", nameof(options)),
        };
    }
}
