using NetVips;

namespace Stox.Imaging;

/// <summary>
/// Automatic enhancement for a typical phone photo, in CIELAB so hue never shifts:
/// percentile auto-levels on L (0.5 % / 99.5 %, gain capped), gentle CLAHE on L blended back in,
/// a small chroma lift (scaling a and b equally is scaling C in LCh with h unchanged), optional 3x3 median
/// denoise first, and light sharpening after each resize. <c>strength</c> 0..1 scales every step.
/// </summary>
internal static class Enhancer
{
    private const double LowPercentile = 0.005;
    private const double HighPercentile = 0.995;
    private const double MaxLevelsGain = 1.6;

    public static Image Apply(Image srgb, double strength, bool denoise)
    {
        var s = Math.Clamp(strength, 0, 1);
        var disposables = new List<Image>();
        Image Keep(Image image)
        {
            disposables.Add(image);
            return image;
        }

        try
        {
            var hasAlpha = srgb.HasAlpha() && srgb.Bands == 4;
            var rgb = hasAlpha ? Keep(srgb.ExtractBand(0, n: 3)) : srgb;
            if (denoise)
            {
                rgb = Keep(rgb.Rank(3, 3, 4));
            }

            var (lo, hi) = LightnessPercentiles(rgb);
            var lab = Keep(rgb.Colourspace(Enums.Interpretation.Lab));
            var l = Keep(lab.ExtractBand(0));
            var ab = Keep(lab.ExtractBand(1, n: 2));

            // Auto-levels: stretch [lo, hi] towards [0, 100] around its middle, blended by strength. When the
            // gain is capped, the middle moves only part of the way to 50, so brightness stays near the original.
            var full = 100.0 / Math.Max(1.0, hi - lo);
            var k = Math.Min(MaxLevelsGain, full);
            var middle = (lo + hi) / 2;
            var target = middle + ((50 - middle) * (k - 1) / Math.Max(1e-6, full - 1));
            var t = Math.Min(1.0, s * 1.4);
            var gain = 1 - t + (t * k);
            var offset = t * (target - (middle * k));
            var levelled = Keep(l.Linear([gain], [offset]));

            // Gentle local contrast: CLAHE on an 8-bit L, mixed in at up to 35 %.
            var l8 = Keep(levelled.Linear([2.55], [0], uchar: true));
            var window = Math.Clamp(Math.Min(rgb.Width, rgb.Height) / 8, 8, 96);
            var clahe = Keep(l8.HistLocal(window, window, maxSlope: 3));
            var c = 0.35 * s;
            var mixedA = Keep(levelled.Linear([1 - c], [0]));
            var mixedB = Keep(clahe.Linear([c / 2.55], [0]));
            var lOut = Keep(mixedA.Add(mixedB));

            // Chroma lift.
            var chroma = 1 + (0.12 * s);
            var abOut = Keep(ab.Linear([chroma, chroma], [0, 0]));
            var joined = Keep(lOut.Bandjoin(abOut));
            var back = joined.Colourspace(Enums.Interpretation.Srgb, sourceSpace: Enums.Interpretation.Lab);
            if (!hasAlpha)
            {
                return back;
            }

            Keep(back);
            var alpha = Keep(srgb.ExtractBand(3));
            return back.Bandjoin(alpha);
        }
        finally
        {
            foreach (var image in disposables)
            {
                image.Dispose();
            }
        }
    }

    /// <summary>Light unsharp mask on lightness, after a resize.</summary>
    public static Image Sharpen(Image srgb, double strength)
    {
        var s = Math.Clamp(strength, 0, 1);
        if (s <= 0)
        {
            return srgb.Copy();
        }

        var hasAlpha = srgb.HasAlpha() && srgb.Bands == 4;
        using var rgb = hasAlpha ? srgb.ExtractBand(0, n: 3) : srgb.Copy();
        using var sharp = rgb.Sharpen(sigma: 0.5 + (0.3 * s), m1: 0.0, m2: 1.0 + (2.0 * s));
        using var srgbOut = sharp.Colourspace(Enums.Interpretation.Srgb);
        if (!hasAlpha)
        {
            return srgbOut.Copy();
        }

        using var alpha = srgb.ExtractBand(3);
        return srgbOut.Bandjoin(alpha);
    }

    /// <summary>Percentiles of CIELAB L (0..100) measured on a 256 px copy.</summary>
    private static (double Low, double High) LightnessPercentiles(Image rgb)
    {
        using var small = rgb.ThumbnailImage(256, height: 256, size: Enums.Size.Down, noRotate: true);
        using var lab = small.Colourspace(Enums.Interpretation.Lab);
        using var l = lab.ExtractBand(0);
        using var l8 = l.Linear([2.55], [0], uchar: true);
        var pixels = l8.WriteToMemory<byte>();
        var histogram = new int[256];
        foreach (var p in pixels)
        {
            histogram[p]++;
        }

        return (Percentile(histogram, pixels.Length, LowPercentile) / 2.55, Percentile(histogram, pixels.Length, HighPercentile) / 2.55);
    }

    private static int Percentile(int[] histogram, int total, double fraction)
    {
        var target = fraction * total;
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= target)
            {
                return i;
            }
        }

        return 255;
    }
}
