using System.Globalization;
using NetVips;
using Stox.Imaging.Vips;

namespace Stox.Benchmarks.Pipeline;

/// <summary>
/// The JPEGs the pipeline suite uploads, made once through libvips and kept in a cache folder:
/// a given photo cropped and scaled to the size, or a synthetic photo-like picture (CI has no photos).
/// </summary>
internal static class SampleImages
{
    public static byte[] Jpeg(int width, int height, string? photo)
    {
        var name = photo is null
            ? $"synthetic-{width}x{height}.jpg"
            : $"{Path.GetFileNameWithoutExtension(photo)}-{width}x{height}.jpg";
        var cache = Path.Combine(Path.GetTempPath(), "stox-pipeline-bench", name);
        if (File.Exists(cache))
        {
            return File.ReadAllBytes(cache);
        }

        using var image = photo is null ? Synthetic(width, height) : FromPhoto(photo, width, height);
        var bytes = image.Save("jpegsave_buffer", new VOption { { "Q", 90 }, { "subsample_mode", Enums.ForeignSubsample.On }, { "strip", true } });
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        File.WriteAllBytes(cache, bytes);
        return bytes;
    }

    public static string Describe(byte[] jpeg, int width, int height, string? photo) => string.Create(
        CultureInfo.InvariantCulture,
        $"{width}x{height} ({width * height / 1e6:0.#} MP) {jpeg.Length / 1e6:0.00} MB JPEG q90 4:2:0, {(photo is null ? "synthetic photo-like" : Path.GetFileName(photo))}");

    private static Image FromPhoto(string path, int width, int height) =>
        Image.ThumbnailBuffer(File.ReadAllBytes(path), width, height: height, crop: Enums.Interesting.Centre);

    /// <summary>
    /// Luminance from Perlin noise at four scales (one of them thresholded into hard-edged shapes) plus Gaussian
    /// sensor noise, and two slow chroma fields: compresses about as a camera photo does (about 3 MB at 12 MP).
    /// </summary>
    private static Image Synthetic(int width, int height)
    {
        var owned = new List<Image>();
        Image Own(Image image)
        {
            owned.Add(image);
            return image;
        }

        Image Perlin(int cellSize, int seed, double scale) =>
            Own(Own(Image.Perlin(width, height, cellSize: Math.Max(2, cellSize), seed: seed)).Linear([scale], [0]));
        Image Add(Image left, Image right) => Own(left.Add(right));

        try
        {
            var shapes = Own(Own(Perlin(width / 8, 5, 1).Sign()).Linear([35], [0]));
            var noise = Own(Image.Gaussnoise(width, height, sigma: 4.0, mean: 128.0));
            var luminance = Add(Add(Add(Add(Perlin(width / 4, 1, 60), shapes), Perlin(width / 50, 2, 22)), Perlin(6, 3, 10)), noise);
            var warm = Perlin(width / 3, 7, 40);
            var green = Perlin(width / 3, 9, 25);
            var red = Add(luminance, warm);
            var greenBand = Add(luminance, green);
            var blue = Add(luminance, Own(warm.Linear([-0.8], [0])));
            var joined = Own(red.Bandjoin(greenBand, blue));
            var pixels = Own(joined.Cast(Enums.BandFormat.Uchar));
            return pixels.Copy(interpretation: Enums.Interpretation.Srgb);
        }
        finally
        {
            foreach (var image in owned)
            {
                image.Dispose();
            }
        }
    }
}
