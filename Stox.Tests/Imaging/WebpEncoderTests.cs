using System.Buffers.Binary;
using Stox.Imaging;
using NetVips;
using Stox.Imaging.Native;
using Stox.Imaging.Vips;

namespace Stox.Tests.Imaging;

/// <summary>The direct libwebp encoder: same bitstream as libvips' webpsave, no metadata, cancellable.</summary>
public sealed class WebpEncoderTests
{
    [Fact]
    public void The_structs_have_the_sizes_of_encode_h()
    {
        // x86-64 and arm64 sizes of WebPConfig, WebPPicture and WebPMemoryWriter in libwebp 1.2.x.
        Assert.Equal((116, 256, 32), LibWebP.Sizes);
    }

    [Theory]
    [InlineData(3, 80, 4)]
    [InlineData(3, 60, 1)]
    [InlineData(4, 80, 2)]
    public void Gives_exactly_the_bitstream_libvips_webpsave_gives_for_the_same_settings(int bands, int quality, int effort)
    {
        // Equal bitstreams prove quality, method and the picture reach libwebp as webpsave passes them.
        _ = new VipsImageEngine();
        using var photo = TestImages.Photo(640, 480);
        using var withBands = bands == 4 ? photo.BandjoinConst([200.0]) : photo.Copy();
        using var memory = PixelImage.Render(withBands);

        var ours = WebpEncoder.Encode(memory, quality, effort, CancellationToken.None);
        var theirs = memory.Image.SaveAs("webpsave_buffer", ("Q", quality), ("effort", effort), ("strip", true));

        Assert.Equal(Chunk(theirs, "VP8 ").ToArray(), Chunk(ours, "VP8 ").ToArray());
        Assert.Equal(bands == 4, Chunk(ours, "ALPH").Length > 0);
    }

    [Fact]
    public void Writes_no_metadata_chunks()
    {
        _ = new VipsImageEngine();
        using var photo = TestImages.Photo(320, 200);
        using var memory = PixelImage.Render(photo);

        var webp = WebpEncoder.Encode(memory, 80, 4, CancellationToken.None);

        Assert.Equal(0, Chunk(webp, "EXIF").Length);
        Assert.Equal(0, Chunk(webp, "XMP ").Length);
        Assert.Equal(0, Chunk(webp, "ICCP").Length);
        var decoded = TestImages.Decode(webp, out var width, out var height, out _);
        Assert.Equal((320, 200), (width, height));
        Assert.NotEmpty(decoded);
    }

    [Fact]
    public void A_cancelled_token_stops_the_encoder_with_OperationCanceledException()
    {
        _ = new VipsImageEngine();
        using var photo = TestImages.Photo(800, 600);
        using var memory = PixelImage.Render(photo);

        Assert.Throws<OperationCanceledException>(() => WebpEncoder.Encode(memory, 80, 4, new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData(101, 4)]
    [InlineData(80, 7)]
    public void Refuses_settings_out_of_range(int quality, int effort)
    {
        _ = new VipsImageEngine();
        using var photo = TestImages.Photo(16, 16);
        using var memory = PixelImage.Render(photo);

        Assert.Throws<ArgumentException>(() => WebpEncoder.Encode(memory, quality, effort, CancellationToken.None));
    }

    /// <summary>The payload of the first RIFF chunk with this FourCC (empty when there is none).</summary>
    private static ReadOnlySpan<byte> Chunk(byte[] webp, string fourcc)
    {
        Assert.True(webp.AsSpan(0, 4).SequenceEqual("RIFF"u8) && webp.AsSpan(8, 4).SequenceEqual("WEBP"u8), "not a WebP file");
        for (var at = 12; at + 8 <= webp.Length;)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(webp.AsSpan(at + 4));
            if (webp.AsSpan(at, 4).SequenceEqual(System.Text.Encoding.ASCII.GetBytes(fourcc)))
            {
                return webp.AsSpan(at + 8, size);
            }

            at += 8 + size + (size & 1);
        }

        return [];
    }
}
