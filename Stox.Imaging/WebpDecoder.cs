using Stox.Imaging.Native;
using Stox.Imaging.Vips;

namespace Stox.Imaging;

/// <summary>
/// Still WebP decoded by libwebp straight into the buffer of a <see cref="PixelImage"/>. libvips 8.14's webpload keeps
/// libwebp's decoded frame and a canvas of its own beside the image it hands out (7-8 bytes a pixel: 180 MB for a
/// 24 MP photo, and 24 MP WebPs at 321 against 236 MB peak at concurrency 2); here libwebp holds next to nothing
/// beside the image for a lossy file, a plane for its alpha, or its ARGB frame for a lossless one. Animations and
/// files with an ICC profile are left to libvips, which handles those.
/// </summary>
internal static unsafe class WebpDecoder
{
    // VP8X flags (the byte after the "VP8X" chunk header): what only libvips handles.
    private const byte IccFlag = 0x20;
    private const byte AnimationFlag = 0x02;

    /// <summary>What libwebp reads from the bitstream of a WebP this decoder takes, or null if libvips decodes it.</summary>
    public static Features? Probe(ReadOnlySpan<byte> webp)
    {
        if (webp.Length < 21 || (webp[12..16].SequenceEqual("VP8X"u8) && (webp[20] & (IccFlag | AnimationFlag)) != 0))
        {
            return null;
        }

        LibWebP.WebPBitstreamFeatures features;
        int status;
        fixed (byte* data = webp)
        {
            status = LibWebP.WebPGetFeaturesInternal(data, (nuint)webp.Length, &features, LibWebP.DecoderAbiVersion);
        }

        if (status == LibWebP.StatusInvalidParam)
        {
            throw new ImageProcessingException(
                $"libwebp {WebpEncoder.Version} does not speak the decoder ABI {LibWebP.DecoderAbiVersion:x4} this engine was built for.");
        }

        // Anything libwebp finds wrong with the header is for libvips' loader to report as it always has.
        return status == 0 && features.HasAnimation == 0
            ? new Features(features.Width, features.Height, features.HasAlpha != 0, Lossless: features.Format == 2)
            : null;
    }

    /// <summary>
    /// Decodes <paramref name="webp"/>, which <see cref="Probe"/> described as <paramref name="features"/>, into
    /// 8-bit sRGB (RGBA with alpha) with no metadata.
    /// </summary>
    public static PixelImage Decode(ReadOnlySpan<byte> webp, Features features)
    {
        var bands = features.HasAlpha ? 4 : 3;
        var image = PixelImage.Allocate(features.Width, features.Height, bands);
        try
        {
            var stride = features.Width * bands;
            var size = (nuint)((long)stride * features.Height);
            var pixels = image.Pixels;
            byte* decoded;
            fixed (byte* data = webp)
            {
                decoded = bands == 4
                    ? LibWebP.WebPDecodeRGBAInto(data, (nuint)webp.Length, pixels, size, stride)
                    : LibWebP.WebPDecodeRGBInto(data, (nuint)webp.Length, pixels, size, stride);
            }

            if (decoded is null)
            {
                throw FormatSniffer.LooksTruncated(ImageFormat.WebP, webp)
                    ? ImageRejectedException.Truncated(ImageFormat.WebP, "libwebp ran out of data.")
                    : ImageRejectedException.Corrupt(ImageFormat.WebP, "libwebp rejected its bitstream.");
            }

            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <param name="Lossless">VP8L: libwebp decodes the whole frame to ARGB before converting it.</param>
    public readonly record struct Features(int Width, int Height, bool HasAlpha, bool Lossless)
    {
        /// <summary>
        /// What libwebp holds beside the image while decoding (measured on 6000x4000: lossy +0.75 MB, lossless
        /// +92 MB): a lossless frame's ARGB (4 bytes a pixel), a lossy frame's alpha plane (1), nothing else.
        /// </summary>
        public long WorkingBytes => (long)Width * Height * (Lossless ? 4 : HasAlpha ? 1 : 0);
    }
}
