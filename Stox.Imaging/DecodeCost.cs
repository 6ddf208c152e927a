using NetVips;
using Stox.Imaging.Vips;

namespace Stox.Imaging;

/// <summary>
/// What decoding one image takes from the decode budget, in bytes, read from its header before any pixel is
/// decoded: <see cref="Decoded"/>, the decoded image the job keeps until nothing reads it (twice for an enhanced
/// job, for its enhanced copy), and <see cref="Working"/>, what the loader (and a rotation) holds beside it only
/// until the image is decoded and oriented.
/// </summary>
internal readonly record struct DecodeCost(long Decoded, long Working)
{
    public long Total => Decoded + Working;

    /// <param name="header">The loader's header-only image (before shrink-on-load).</param>
    /// <param name="input">The encoded image.</param>
    public static DecodeCost Of(Image header, ImageInfo info, ReadOnlySpan<byte> input, int shrink, bool enhance)
    {
        var pixels = (long)(info.Width / shrink) * (info.Height / shrink);
        var one = pixels * (info.HasAlpha ? 4 : 3);
        var rotation = info.Orientation is > 1 and <= 8 ? one : 0; // autorot makes a rotated copy
        var working = info.Format == ImageFormat.WebP && WebpDecoder.Probe(input) is { } direct
            ? direct.WorkingBytes
            : LoaderWorkingBytes(header, info);
        return new DecodeCost(enhance ? one * 2 : one, working + rotation);
    }

    /// <summary>
    /// The loader's own memory beside the decoded image, for the whole (first) frame at full size. Measured with
    /// libvips 8.14 on 6000x4000 inputs as peak RSS of a sequential read (<c>vips avg "f[access=sequential]"</c>)
    /// over a baseline JPEG's: progressive 4:4:4 JPEG 5.9 bytes a pixel, Adam7 PNG 2.5, WebP 7.4, GIF 4.3,
    /// HEIC 7.0, AVIF 6.6; baseline JPEG, plain PNG and TIFF ~0, because they are read strip by strip.
    /// </summary>
    private static long LoaderWorkingBytes(Image header, ImageInfo info)
    {
        var pixels = (long)info.Width * info.Height;
        var interlaced = header.IntField("interlaced") == 1;
        return info.Format switch
        {
            // libjpeg keeps every DCT coefficient of a progressive file (2 bytes a sample), whatever the
            // shrink-on-load. libjpeg reports any chroma subsampling as 4:2:0; 4:2:2, the largest common one,
            // halves the chroma planes.
            ImageFormat.Jpeg when interlaced =>
                pixels * 2 * (header.StringField("jpeg-chroma-subsample") is { } s && s.StartsWith("4:2:0", StringComparison.Ordinal)
                    ? header.Bands - 1 // Y (and K) whole, Cb and Cr halved: 2 for YCbCr, 3 for YCCK
                    : header.Bands),
            ImageFormat.Png when interlaced => pixels * header.Bands * (header.Format == Enums.BandFormat.Ushort ? 2 : 1),
            ImageFormat.WebP => pixels * 8, // animated or ICC-tagged, so through libvips' webpload (else WebpDecoder)
            ImageFormat.Gif => pixels * 5,
            ImageFormat.Heic or ImageFormat.Avif => pixels * 7,
            _ => 0,
        };
    }
}
