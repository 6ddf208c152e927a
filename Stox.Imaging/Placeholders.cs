using System.Globalization;
using System.Text;
using NetVips;

namespace Stox.Imaging;

/// <summary>BlurHash placeholder and dominant colour, computed from a small variant.</summary>
internal static class Placeholders
{
    private const string Base83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
    public const int SampleSize = 32;

    public static (string BlurHash, string DominantColor) Compute(Image image)
    {
        using var small = image.ThumbnailImage(SampleSize, height: SampleSize, size: Enums.Size.Down, noRotate: true);
        using var flat = small.HasAlpha() ? small.Flatten([255, 255, 255]) : small.Copy();
        return FromPixels(flat.WriteToMemory<byte>(), flat.Width, flat.Height, flat.Bands);
    }

    /// <summary>From packed 8-bit pixels already at most <see cref="SampleSize"/> px a side and flattened (the Skia engine's).</summary>
    public static (string BlurHash, string DominantColor) FromPixels(byte[] pixels, int w, int h, int bands)
    {
        var (cx, cy) = w >= h ? (4, 3) : (3, 4);
        return (BlurHash.Encode(pixels, w, h, bands, cx, cy), Dominant(pixels, w * h, bands));
    }

    /// <summary>The most common colour (16 levels a channel), as the mean of the pixels in that bin.</summary>
    internal static string Dominant(byte[] pixels, int count, int bands)
    {
        var bins = new int[4096];
        var sums = new long[4096 * 3];
        for (var i = 0; i < count; i++)
        {
            var o = i * bands;
            int r = pixels[o], g = pixels[o + 1], b = pixels[o + 2];
            var bin = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
            bins[bin]++;
            sums[bin * 3] += r;
            sums[(bin * 3) + 1] += g;
            sums[(bin * 3) + 2] += b;
        }

        var best = 0;
        for (var i = 1; i < bins.Length; i++)
        {
            if (bins[i] > bins[best])
            {
                best = i;
            }
        }

        var n = Math.Max(1, bins[best]);
        return string.Create(CultureInfo.InvariantCulture,
            $"#{sums[best * 3] / n:x2}{sums[(best * 3) + 1] / n:x2}{sums[(best * 3) + 2] / n:x2}");
    }

    internal static class BlurHash
    {
        public static string Encode(byte[] pixels, int width, int height, int bands, int componentsX, int componentsY)
        {
            var factors = new double[componentsX * componentsY, 3];
            var linear = new double[width * height * 3];
            for (var i = 0; i < width * height; i++)
            {
                for (var c = 0; c < 3; c++)
                {
                    linear[(i * 3) + c] = SrgbToLinear(pixels[(i * bands) + c]);
                }
            }

            for (var j = 0; j < componentsY; j++)
            {
                for (var i = 0; i < componentsX; i++)
                {
                    double r = 0, g = 0, b = 0;
                    for (var y = 0; y < height; y++)
                    {
                        var by = Math.Cos(Math.PI * j * y / height);
                        for (var x = 0; x < width; x++)
                        {
                            var basis = Math.Cos(Math.PI * i * x / width) * by;
                            var o = ((y * width) + x) * 3;
                            r += basis * linear[o];
                            g += basis * linear[o + 1];
                            b += basis * linear[o + 2];
                        }
                    }

                    var scale = (i == 0 && j == 0 ? 1.0 : 2.0) / (width * height);
                    var k = (j * componentsX) + i;
                    factors[k, 0] = r * scale;
                    factors[k, 1] = g * scale;
                    factors[k, 2] = b * scale;
                }
            }

            var hash = new StringBuilder();
            Append83(hash, componentsX - 1 + ((componentsY - 1) * 9), 1);
            var count = componentsX * componentsY;
            double maximum;
            if (count > 1)
            {
                double actual = 0;
                for (var k = 1; k < count; k++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        actual = Math.Max(actual, Math.Abs(factors[k, c]));
                    }
                }

                var quantised = (int)Math.Max(0, Math.Min(82, Math.Floor((actual * 166) - 0.5)));
                maximum = (quantised + 1) / 166.0;
                Append83(hash, quantised, 1);
            }
            else
            {
                maximum = 1;
                Append83(hash, 0, 1);
            }

            var dc = (LinearToSrgb(factors[0, 0]) << 16) + (LinearToSrgb(factors[0, 1]) << 8) + LinearToSrgb(factors[0, 2]);
            Append83(hash, dc, 4);
            for (var k = 1; k < count; k++)
            {
                var ac = (Quantise(factors[k, 0] / maximum) * 19 * 19) + (Quantise(factors[k, 1] / maximum) * 19) + Quantise(factors[k, 2] / maximum);
                Append83(hash, ac, 2);
            }

            return hash.ToString();
        }

        private static int Quantise(double v) =>
            (int)Math.Max(0, Math.Min(18, Math.Floor((Math.Sign(v) * Math.Sqrt(Math.Abs(v)) * 9) + 9.5)));

        private static double SrgbToLinear(byte value)
        {
            var v = value / 255.0;
            return v <= 0.04045 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
        }

        private static int LinearToSrgb(double value)
        {
            var v = Math.Clamp(value, 0, 1);
            return v <= 0.0031308 ? (int)((v * 12.92 * 255) + 0.5) : (int)((((1.055 * Math.Pow(v, 1 / 2.4)) - 0.055) * 255) + 0.5);
        }

        private static void Append83(StringBuilder sb, int value, int length)
        {
            for (var i = 1; i <= length; i++)
            {
                var digit = value / (int)Math.Pow(83, length - i) % 83;
                sb.Append(Base83[digit]);
            }
        }
    }
}
