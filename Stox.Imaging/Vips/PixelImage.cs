using System.Runtime.InteropServices;
using NetVips;

namespace Stox.Imaging.Vips;

/// <summary>
/// An image whose pixels sit in one buffer this code holds, packed row after row, wrapped by a libvips image that
/// borrows it: what libwebp reads (and <see cref="WebpDecoder"/> writes) in place. libvips' own memory images
/// (<c>copy_memory</c>) would do, but NetVips gives no pointer to their pixels. The buffer is freed when libvips
/// closes the image, so images made from this one may outlive it. It carries no metadata: a rendered image leaves
/// EXIF, XMP, IPTC and ICC behind.
/// </summary>
internal sealed unsafe class PixelImage : IDisposable
{
    private static long _liveBuffers;
    private static long _liveBytes;

    private PixelImage(Image image, byte* pixels)
    {
        Image = image;
        Pixels = pixels;
    }

    public Image Image { get; }

    /// <summary>Valid while this object (or any image made from <see cref="Image"/>) lives.</summary>
    public byte* Pixels { get; }

    public int Width => Image.Width;

    public int Height => Image.Height;

    public int Bands => Image.Bands;

    /// <summary>Buffers not yet freed, process-wide: for the leak checks beside libvips' own tracked memory.</summary>
    public static (long Buffers, long Bytes) Live => (Interlocked.Read(ref _liveBuffers), Interlocked.Read(ref _liveBytes));

    /// <summary>Computes <paramref name="image"/> once into a new buffer (libvips allocates it).</summary>
    public static PixelImage Render(Image image)
    {
        var pixels = image.WriteToMemory(out var size);
        return Wrap((byte*)pixels, size, image, static p => NetVips.NetVips.Free(p));
    }

    /// <summary>An uninitialised 8-bit sRGB image, for a decoder to write into before anything reads it.</summary>
    public static PixelImage Allocate(int width, int height, int bands)
    {
        var size = (ulong)width * (ulong)height * (ulong)bands;
        var pixels = (byte*)NativeMemory.Alloc((nuint)size);
        return Wrap(pixels, size, width, height, bands, Enums.Interpretation.Srgb, static p => NativeMemory.Free((void*)p));
    }

    public void Dispose() => Image.Dispose();

    private static PixelImage Wrap(byte* pixels, ulong size, Image like, Action<nint> free) =>
        Wrap(pixels, size, like.Width, like.Height, like.Bands, like.Interpretation, free, like.Format);

    private static PixelImage Wrap(byte* pixels, ulong size, int width, int height, int bands,
        Enums.Interpretation interpretation, Action<nint> free, Enums.BandFormat format = Enums.BandFormat.Uchar)
    {
        Image memory;
        try
        {
            memory = Image.NewFromMemory((nint)pixels, size, width, height, bands, format);
        }
        catch
        {
            free((nint)pixels);
            throw;
        }

        Interlocked.Increment(ref _liveBuffers);
        Interlocked.Add(ref _liveBytes, (long)size);
        var buffer = (nint)pixels;
        memory.OnPostClose += () =>
        {
            free(buffer);
            Interlocked.Decrement(ref _liveBuffers);
            Interlocked.Add(ref _liveBytes, -(long)size);
        };

        // new_from_memory guesses the interpretation from the bands; a copy states the real one at no cost.
        using (memory)
        {
            return new PixelImage(memory.Copy(interpretation: interpretation), pixels);
        }
    }
}
