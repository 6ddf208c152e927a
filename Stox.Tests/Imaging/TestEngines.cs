using Stox.Imaging;
using Stox.Imaging.Skia;

namespace Stox.Tests.Imaging;

/// <summary>One engine of each kind for the shared corpus tests (engines are thread-safe and meant to live long).</summary>
internal static class TestEngines
{
    public static readonly VipsImageEngine Vips = new();

    public static readonly SkiaImageEngine Skia = new(new ImagingOptions(), Vips);
}
