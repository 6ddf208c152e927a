using System.Globalization;
using Stox.Imaging.Native;

namespace Stox.Benchmarks.Pipeline;

/// <summary>
/// The JPEGs the pipeline suite uploads, made once through the imaging binding and kept in a cache folder:
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
        var bytes = image.Save("jpegsave_buffer", ("Q", 90), ("subsample_mode", "on"), ("strip", true));
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        File.WriteAllBytes(cache, bytes);
        return bytes;
    }

    public static string Describe(byte[] jpeg, int width, int height, string? photo) => string.Create(
        CultureInfo.InvariantCulture,
        $"{width}x{height} ({width * height / 1e6:0.#} MP) {jpeg.Length / 1e6:0.00} MB JPEG q90 4:2:0, {(photo is null ? "synthetic photo-like" : Path.GetFileName(photo))}");

    private static VipsImage FromPhoto(string path, int width, int height) =>
        VipsOperation.CallImage(
            "thumbnail_buffer",
            ("buffer", (ReadOnlyMemory<byte>)File.ReadAllBytes(path)),
            ("width", width),
            ("height", height),
            ("crop", "centre"));

    /// <summary>
    /// Luminance from Perlin noise at four scales (one of them thresholded into hard-edged shapes) plus Gaussian
    /// sensor noise, and two slow chroma fields: compresses about as a camera photo does (about 3 MB at 12 MP).
    /// </summary>
    private static VipsImage Synthetic(int width, int height)
    {
        var owned = new List<VipsImage>();
        VipsImage Own(VipsImage image)
        {
            owned.Add(image);
            return image;
        }

        VipsImage Perlin(int cellSize, int seed, double scale) =>
            Own(Own(VipsOperation.CallImage("perlin", ("width", width), ("height", height), ("cell_size", Math.Max(2, cellSize)), ("seed", seed))).Linear([scale], [0]));
        VipsImage Add(VipsImage left, VipsImage right) => Own(VipsOperation.CallImage("add", ("left", left), ("right", right)));

        try
        {
            var shapes = Own(Own(VipsOperation.CallImage("sign", ("in", Perlin(width / 8, 5, 1)))).Linear([35], [0]));
            var noise = Own(VipsOperation.CallImage("gaussnoise", ("width", width), ("height", height), ("sigma", 4.0), ("mean", 128.0)));
            var luminance = Add(Add(Add(Add(Perlin(width / 4, 1, 60), shapes), Perlin(width / 50, 2, 22)), Perlin(6, 3, 10)), noise);
            var warm = Perlin(width / 3, 7, 40);
            var green = Perlin(width / 3, 9, 25);
            var red = Add(luminance, warm);
            var greenBand = Add(luminance, green);
            var blue = Add(luminance, Own(warm.Linear([-0.8], [0])));
            var joined = Own(VipsImage.BandJoin(red, greenBand, blue));
            var pixels = Own(joined.Cast("uchar"));
            return VipsOperation.CallImage("copy", ("in", pixels), ("interpretation", "srgb"));
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
