using System.Runtime.InteropServices;

namespace Stox.Imaging.Native;

/// <summary>Owns one reference to a <c>VipsImage</c>.</summary>
internal sealed class VipsImageHandle : SafeHandle
{
    public VipsImageHandle(nint handle)
        : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibVips.g_object_unref(handle);
        return true;
    }
}

/// <summary>libvips band formats (VipsBandFormat).</summary>
internal enum BandFormat
{
    UChar = 0, Char = 1, UShort = 2, Short = 3, UInt = 4, Int = 5, Float = 6, Complex = 7, Double = 8, DpComplex = 9,
}

/// <summary>libvips interpretations (VipsInterpretation) the engine looks at.</summary>
internal enum Interpretation
{
    Multiband = 0, BW = 1, Histogram = 10, Xyz = 12, Lab = 13, Cmyk = 15, Labq = 16, Rgb = 17, Cmc = 18, Lch = 19,
    Labs = 21, Srgb = 22, Yxy = 23, Fourier = 24, Rgb16 = 25, Grey16 = 26, Matrix = 27, ScRgb = 28, Hsv = 29,
}

/// <summary>A libvips image: header access plus the handful of operations the pipeline uses.</summary>
internal sealed class VipsImage : IDisposable
{
    public VipsImage(nint ptr) => Handle = new VipsImageHandle(ptr);

    public VipsImageHandle Handle { get; }

    private nint Ptr => Handle.DangerousGetHandle();

    public int Width => LibVips.vips_image_get_width(Ptr);

    public int Height => LibVips.vips_image_get_height(Ptr);

    public int Bands => LibVips.vips_image_get_bands(Ptr);

    public BandFormat Format => (BandFormat)LibVips.vips_image_get_format(Ptr);

    public Interpretation Interpretation => (Interpretation)LibVips.vips_image_get_interpretation(Ptr);

    public int Pages => Math.Max(1, LibVips.vips_image_get_n_pages(Ptr));

    public int PageHeight => LibVips.vips_image_get_page_height(Ptr);

    public bool HasAlpha => LibVips.vips_image_hasalpha(Ptr);

    public bool HasField(string name) => LibVips.vips_image_get_typeof(Ptr, name) != 0;

    public int? GetInt(string name) =>
        HasField(name) && LibVips.vips_image_get_int(Ptr, name, out var v) == 0 ? v : null;

    public string? GetString(string name)
    {
        if (!HasField(name) || LibVips.vips_image_get_string(Ptr, name, out var p) != 0)
        {
            return null;
        }

        return Marshal.PtrToStringUTF8(p);
    }

    public void Dispose() => Handle.Dispose();

    /// <summary>Every metadata field name (header fields such as width included).</summary>
    public IReadOnlyList<string> FieldNames()
    {
        var list = new List<string>();
        var array = LibVips.vips_image_get_fields(Ptr);
        if (array == 0)
        {
            return list;
        }

        try
        {
            for (var i = 0; ; i++)
            {
                var p = Marshal.ReadIntPtr(array, i * IntPtr.Size);
                if (p == 0)
                {
                    break;
                }

                list.Add(Marshal.PtrToStringUTF8(p) ?? string.Empty);
            }
        }
        finally
        {
            LibVips.g_strfreev(array);
        }

        return list;
    }

    /// <summary>
    /// Removes EXIF (GPS included), XMP, IPTC, ICC and every loader-specific field. Only on an image this
    /// code has just made and holds alone (a fresh copy_memory result): libvips images are shared otherwise.
    /// Needed because some savers (8.14's webpsave) write EXIF back despite <c>strip</c>.
    /// </summary>
    public void RemoveMetadata()
    {
        foreach (var name in FieldNames())
        {
            if (name is "width" or "height" or "bands" or "format" or "coding" or "interpretation" or "xoffset"
                or "yoffset" or "xres" or "yres" or "filename" or "page-height" or "n-pages")
            {
                continue;
            }

            LibVips.vips_image_remove(Ptr, name);
        }
    }

    /// <summary>
    /// A new 8-bit sRGB image whose pixel buffer libvips has allocated (and tracks), for native code to write
    /// straight into through <see cref="MemoryPixels"/> before anything reads it.
    /// </summary>
    public static VipsImage NewSrgbInMemory(int width, int height, int bands)
    {
        VipsLibrary.EnsureInitialised(null);
        var ptr = LibVips.vips_image_new_memory();
        if (ptr == 0)
        {
            throw new VipsCallException("image_new_memory", VipsError.TakeMessage());
        }

        var image = new VipsImage(ptr);
        LibVips.vips_image_init_fields(ptr, width, height, bands, (int)BandFormat.UChar, 0, (int)Interpretation.Srgb, 1.0, 1.0);
        if (LibVips.vips_image_write_prepare(ptr) != 0)
        {
            image.Dispose();
            throw new VipsCallException("image_write_prepare", VipsError.TakeMessage());
        }

        return image;
    }

    /// <summary>A new uchar image from packed pixels (libvips copies them).</summary>
    public static unsafe VipsImage FromPixels(ReadOnlySpan<byte> pixels, int width, int height, int bands)
    {
        VipsLibrary.EnsureInitialised(null);
        fixed (byte* p = pixels)
        {
            var ptr = LibVips.vips_image_new_from_memory_copy(p, (nuint)pixels.Length, width, height, bands, (int)BandFormat.UChar);
            return ptr == 0 ? throw new VipsCallException("new_from_memory_copy", VipsError.TakeMessage()) : new VipsImage(ptr);
        }
    }

    /// <summary>Sets an int field; only on an image this code has just made (a fresh copy), as libvips requires.</summary>
    public void SetInt(string name, int value) => LibVips.vips_image_set_int(Ptr, name, value);

    /// <summary>Encodes with a libvips saver, e.g. <c>jpegsave_buffer</c>.</summary>
    public byte[] Save(string saver, params ReadOnlySpan<(string Name, object? Value)> options)
    {
        using var op = VipsOperation.Create(saver);
        op.Set("in", this);
        foreach (var (name, value) in options)
        {
            if (value is not null)
            {
                op.Set(name, value);
            }
        }

        op.Build();
        return op.GetBlob("buffer");
    }

    /// <summary>Renders the image into memory (pixels computed once; later reads are free).</summary>
    public VipsImage CopyMemory()
    {
        var p = LibVips.vips_image_copy_memory(Ptr);
        GC.KeepAlive(this);
        return p == 0 ? throw new VipsCallException("copy_memory", VipsError.TakeMessage()) : new VipsImage(p);
    }

    /// <summary>
    /// The pixels of an image made by <see cref="CopyMemory"/>, rows packed one after the other, valid while this
    /// image lives. A lazy image has none: copy it to memory first.
    /// </summary>
    public nint MemoryPixels()
    {
        var data = LibVips.vips_image_get_data(Ptr);
        GC.KeepAlive(this);
        return data == 0 ? throw new VipsCallException("image_get_data", VipsError.TakeMessage()) : data;
    }

    /// <summary>The pixels as packed bytes (band-interleaved); for small images.</summary>
    public byte[] WriteToMemory()
    {
        var p = LibVips.vips_image_write_to_memory(Ptr, out var size);
        GC.KeepAlive(this);
        if (p == 0)
        {
            throw new VipsCallException("write_to_memory", VipsError.TakeMessage());
        }

        try
        {
            var bytes = new byte[checked((int)size)];
            Marshal.Copy(p, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            LibVips.g_free(p);
        }
    }

    public void SetKill(bool kill) => LibVips.vips_image_set_kill(Ptr, kill);

    public void SetProgress(bool progress) => LibVips.vips_image_set_progress(Ptr, progress);

    public VipsImage Autorot() => VipsOperation.CallImage("autorot", ("in", this));

    public VipsImage Colourspace(string space) => VipsOperation.CallImage("colourspace", ("in", this), ("space", space));

    public VipsImage Cast(string format) => VipsOperation.CallImage("cast", ("in", this), ("format", format));

    public VipsImage ExtractBand(int band, int n = 1) =>
        VipsOperation.CallImage("extract_band", ("in", this), ("band", band), ("n", n));

    public VipsImage Linear(double[] a, double[] b, bool ucharOut = false) =>
        VipsOperation.CallImage("linear", ("in", this), ("a", a), ("b", b), ("uchar", ucharOut ? true : null));

    public VipsImage Flatten(double[] background) =>
        VipsOperation.CallImage("flatten", ("in", this), ("background", background));

    public static VipsImage BandJoin(params VipsImage[] images) =>
        VipsOperation.CallImage("bandjoin", ("in", images));

    public VipsImage Resize(double scale, double? vscale = null) =>
        VipsOperation.CallImage("resize", ("in", this), ("scale", scale), ("vscale", vscale));

    public VipsImage Copy() => VipsOperation.CallImage("copy", ("in", this));
}
