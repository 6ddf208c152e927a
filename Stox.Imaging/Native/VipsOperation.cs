using System.Runtime.InteropServices;

namespace Stox.Imaging.Native;

/// <summary>
/// One call of a libvips operation through the generic API: <c>vips_operation_new</c>, arguments as
/// GValues set with <c>g_object_set_property</c>, <c>vips_cache_operation_build</c>, outputs read with
/// <c>g_object_get_property</c>, then <c>vips_object_unref_outputs</c> + <c>g_object_unref</c> on dispose.
/// </summary>
internal sealed class VipsOperation : IDisposable
{
    private const string EnumDomain = "stox";
    private nint _op;
    private bool _built;

    private VipsOperation(nint op, string name)
    {
        _op = op;
        Name = name;
    }

    public string Name { get; }

    public static VipsOperation Create(string name)
    {
        VipsLibrary.EnsureInitialised(null);
        var op = LibVips.vips_operation_new(name);
        if (op == 0)
        {
            throw new ImageProcessingException($"libvips has no operation '{name}': {VipsError.TakeMessage()}");
        }

        return new VipsOperation(op, name);
    }

    /// <summary>Runs an operation whose single output is the image <c>out</c>.</summary>
    public static VipsImage CallImage(string name, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var op = Create(name);
        foreach (var (argName, value) in args)
        {
            if (value is not null)
            {
                op.Set(argName, value);
            }
        }

        op.Build();
        return op.GetImage("out");
    }

    public VipsOperation Set(string name, object value)
    {
        ObjectDisposedException.ThrowIf(_op == 0, this);
        var type = ArgumentType(name);
        var gv = default(GValue);
        LibVips.g_value_init(ref gv, type);
        try
        {
            Assign(ref gv, type, name, value);
            LibVips.g_object_set_property(_op, name, ref gv);
        }
        finally
        {
            LibVips.g_value_unset(ref gv);
        }

        return this;
    }

    public void Build()
    {
        var built = LibVips.vips_cache_operation_build(_op);
        if (built == 0)
        {
            var message = VipsError.TakeMessage();
            LibVips.vips_object_unref_outputs(_op);
            LibVips.g_object_unref(_op);
            _op = 0;
            throw new VipsCallException(Name, message);
        }

        LibVips.g_object_unref(_op);
        _op = built;
        _built = true;
    }

    public VipsImage GetImage(string name)
    {
        EnsureBuilt();
        var gv = default(GValue);
        LibVips.g_value_init(ref gv, LibVips.vips_image_get_type());
        try
        {
            LibVips.g_object_get_property(_op, name, ref gv);
            var ptr = LibVips.g_value_get_object(ref gv);
            if (ptr == 0)
            {
                throw new ImageProcessingException($"libvips operation '{Name}' returned no '{name}'.");
            }

            LibVips.g_object_ref(ptr);
            return new VipsImage(ptr);
        }
        finally
        {
            LibVips.g_value_unset(ref gv);
        }
    }

    public byte[] GetBlob(string name)
    {
        EnsureBuilt();
        var gv = default(GValue);
        LibVips.g_value_init(ref gv, LibVips.vips_blob_get_type());
        try
        {
            LibVips.g_object_get_property(_op, name, ref gv);
            var data = LibVips.vips_value_get_blob(ref gv, out var length);
            if (data == 0)
            {
                return [];
            }

            var bytes = GC.AllocateUninitializedArray<byte>(checked((int)length));
            Marshal.Copy(data, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            LibVips.g_value_unset(ref gv);
        }
    }

    public int GetInt(string name)
    {
        EnsureBuilt();
        var gv = default(GValue);
        LibVips.g_value_init(ref gv, GTypes.Int);
        try
        {
            LibVips.g_object_get_property(_op, name, ref gv);
            return LibVips.g_value_get_int(ref gv);
        }
        finally
        {
            LibVips.g_value_unset(ref gv);
        }
    }

    public double GetDouble(string name)
    {
        EnsureBuilt();
        var gv = default(GValue);
        LibVips.g_value_init(ref gv, GTypes.Double);
        try
        {
            LibVips.g_object_get_property(_op, name, ref gv);
            return LibVips.g_value_get_double(ref gv);
        }
        finally
        {
            LibVips.g_value_unset(ref gv);
        }
    }

    public void Dispose()
    {
        if (_op != 0)
        {
            if (_built)
            {
                LibVips.vips_object_unref_outputs(_op);
            }

            LibVips.g_object_unref(_op);
            _op = 0;
        }
    }

    private void EnsureBuilt()
    {
        if (!_built || _op == 0)
        {
            throw new InvalidOperationException($"Operation '{Name}' has not been built.");
        }
    }

    /// <summary>The GType of an argument, read from its GParamSpec (value_type sits after the instance, name and flags).</summary>
    private nuint ArgumentType(string name)
    {
        if (LibVips.vips_object_get_argument(_op, name, out var pspec, out _, out _) != 0 || pspec == 0)
        {
            LibVips.vips_error_clear();
            throw new ArgumentException($"libvips operation '{Name}' has no argument '{name}'.", nameof(name));
        }

        return (nuint)Marshal.ReadIntPtr(pspec, 3 * IntPtr.Size);
    }

    private unsafe void Assign(ref GValue gv, nuint type, string name, object value)
    {
        var fundamental = LibVips.g_type_fundamental(type);
        switch (value)
        {
            case VipsImage image:
                var added = false;
                image.Handle.DangerousAddRef(ref added);
                try
                {
                    LibVips.g_value_set_object(ref gv, image.Handle.DangerousGetHandle());
                }
                finally
                {
                    if (added)
                    {
                        image.Handle.DangerousRelease();
                    }
                }

                return;
            case bool b:
                LibVips.g_value_set_boolean(ref gv, b);
                return;
            case string s when fundamental == GTypes.Enum:
                var v = LibVips.vips_enum_from_nick(EnumDomain, type, s);
                if (v < 0)
                {
                    LibVips.vips_error_clear();
                    throw new ArgumentException($"'{s}' is not a value of {Name}.{name}.", nameof(value));
                }

                LibVips.g_value_set_enum(ref gv, v);
                return;
            case string s:
                LibVips.g_value_set_string(ref gv, s);
                return;
            case int i when fundamental == GTypes.Double:
                LibVips.g_value_set_double(ref gv, i);
                return;
            case int i when fundamental == GTypes.Enum:
                LibVips.g_value_set_enum(ref gv, i);
                return;
            case int i when fundamental == GTypes.Flags:
                LibVips.g_value_set_flags(ref gv, (uint)i);
                return;
            case int i when fundamental == GTypes.UInt64:
                LibVips.g_value_set_uint64(ref gv, (ulong)i);
                return;
            case int i:
                LibVips.g_value_set_int(ref gv, i);
                return;
            case double d when fundamental == GTypes.Int:
                LibVips.g_value_set_int(ref gv, (int)Math.Round(d));
                return;
            case double d:
                LibVips.g_value_set_double(ref gv, d);
                return;
            case double[] doubles:
                fixed (double* p = doubles)
                {
                    LibVips.vips_value_set_array_double(ref gv, p, doubles.Length);
                }

                return;
            case int[] ints:
                fixed (int* p = ints)
                {
                    LibVips.vips_value_set_array_int(ref gv, p, ints.Length);
                }

                return;
            case VipsImage[] images:
                SetImageArray(ref gv, images);
                return;
            case ReadOnlyMemory<byte> bytes:
                fixed (byte* p = bytes.Span)
                {
                    // vips_blob_copy: libvips owns its copy, so a lazy loader never reads managed memory.
                    var blob = LibVips.vips_blob_copy(p, (nuint)bytes.Length);
                    LibVips.g_value_set_boxed(ref gv, blob);
                    LibVips.vips_area_unref(blob);
                }

                return;
            default:
                throw new ArgumentException($"Cannot pass a {value.GetType().Name} to {Name}.{name}.", nameof(value));
        }
    }

    private static unsafe void SetImageArray(ref GValue gv, VipsImage[] images)
    {
        var handles = new nint[images.Length];
        for (var i = 0; i < images.Length; i++)
        {
            handles[i] = images[i].Handle.DangerousGetHandle();
        }

        fixed (nint* p = handles)
        {
            var area = LibVips.vips_array_image_new(p, handles.Length);
            LibVips.g_value_set_boxed(ref gv, area);
            LibVips.vips_area_unref(area);
        }

        GC.KeepAlive(images);
    }
}

/// <summary>A libvips operation failed to build; carries libvips' message.</summary>
internal sealed class VipsCallException(string operation, string message)
    : Exception($"{operation}: {message}")
{
    public string Operation { get; } = operation;

    public string VipsMessage { get; } = message;
}
