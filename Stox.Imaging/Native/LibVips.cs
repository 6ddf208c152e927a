using System.Runtime.InteropServices;

namespace Stox.Imaging.Native;

/// <summary>
/// The C entry points Stox uses: libvips' generic operation API plus the GLib/GObject calls it needs.
/// Every import names the one logical library <see cref="Library"/>; <see cref="VipsLibrary"/> resolves it
/// to the configured file. glibc's dlsym on that handle also searches its dependencies, so GLib and
/// GObject symbols resolve through libvips whether they live in separate libraries (Debian) or in the
/// same one (the npm build).
/// </summary>
internal static partial class LibVips
{
    public const string Library = "stox-libvips";

    // --- lifecycle and settings ---
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int vips_init(string argv0);

    [LibraryImport(Library)]
    public static partial int vips_version(int flag);

    [LibraryImport(Library)]
    public static partial void vips_cache_set_max(int max);

    [LibraryImport(Library)]
    public static partial void vips_cache_set_max_mem(nuint max);

    [LibraryImport(Library)]
    public static partial void vips_cache_set_max_files(int max);

    [LibraryImport(Library)]
    public static partial void vips_concurrency_set(int concurrency);

    [LibraryImport(Library)]
    public static partial int vips_concurrency_get();

    [LibraryImport(Library)]
    public static partial void vips_block_untrusted_set([MarshalAs(UnmanagedType.I4)] bool state);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void vips_operation_block_set(string name, [MarshalAs(UnmanagedType.I4)] bool state);

    [LibraryImport(Library)]
    public static partial nint vips_tracked_get_mem();

    [LibraryImport(Library)]
    public static partial nint vips_tracked_get_mem_highwater();

    [LibraryImport(Library)]
    public static partial int vips_tracked_get_allocs();

    [LibraryImport(Library)]
    public static partial int vips_tracked_get_files();

    // --- errors and logging ---
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint g_log_set_handler(string domain, int levels, nint handler, nint data);

    [LibraryImport(Library)]
    public static partial nint vips_error_buffer_copy();

    [LibraryImport(Library)]
    public static partial void vips_error_clear();

    [LibraryImport(Library)]
    public static partial void g_free(nint mem);

    // --- GObject / GValue ---
    [LibraryImport(Library)]
    public static partial nint g_object_ref(nint obj);

    [LibraryImport(Library)]
    public static partial void g_object_unref(nint obj);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void g_object_set_property(nint obj, string name, ref GValue value);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void g_object_get_property(nint obj, string name, ref GValue value);

    [LibraryImport(Library)]
    public static partial nint g_value_init(ref GValue value, nuint type);

    [LibraryImport(Library)]
    public static partial void g_value_unset(ref GValue value);

    [LibraryImport(Library)]
    public static partial void g_value_set_boolean(ref GValue value, [MarshalAs(UnmanagedType.I4)] bool v);

    [LibraryImport(Library)]
    public static partial void g_value_set_int(ref GValue value, int v);

    [LibraryImport(Library)]
    public static partial void g_value_set_uint64(ref GValue value, ulong v);

    [LibraryImport(Library)]
    public static partial void g_value_set_double(ref GValue value, double v);

    [LibraryImport(Library)]
    public static partial void g_value_set_enum(ref GValue value, int v);

    [LibraryImport(Library)]
    public static partial void g_value_set_flags(ref GValue value, uint v);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void g_value_set_string(ref GValue value, string v);

    [LibraryImport(Library)]
    public static partial void g_value_set_object(ref GValue value, nint v);

    [LibraryImport(Library)]
    public static partial void g_value_set_boxed(ref GValue value, nint v);

    [LibraryImport(Library)]
    public static partial nint g_value_get_object(ref GValue value);

    [LibraryImport(Library)]
    public static partial int g_value_get_int(ref GValue value);

    [LibraryImport(Library)]
    public static partial double g_value_get_double(ref GValue value);

    [LibraryImport(Library)]
    [return: MarshalAs(UnmanagedType.I4)]
    public static partial bool g_value_get_boolean(ref GValue value);

    [LibraryImport(Library)]
    public static partial nuint g_type_fundamental(nuint type);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nuint g_type_from_name(string name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial ulong g_signal_connect_data(nint instance, string signal, nint handler, nint data, nint destroy, int flags);

    [LibraryImport(Library)]
    public static partial void g_signal_handler_disconnect(nint instance, ulong handlerId);

    // --- vips types and boxed values ---
    [LibraryImport(Library)]
    public static partial nuint vips_image_get_type();

    [LibraryImport(Library)]
    public static partial nuint vips_blob_get_type();

    [LibraryImport(Library)]
    public static partial nuint vips_array_double_get_type();

    [LibraryImport(Library)]
    public static partial nuint vips_array_int_get_type();

    [LibraryImport(Library)]
    public static partial nuint vips_array_image_get_type();

    [LibraryImport(Library)]
    public static unsafe partial nint vips_blob_copy(byte* data, nuint length);

    [LibraryImport(Library)]
    public static partial void vips_area_unref(nint area);

    [LibraryImport(Library)]
    public static unsafe partial void vips_value_set_array_double(ref GValue value, double* array, int n);

    [LibraryImport(Library)]
    public static unsafe partial void vips_value_set_array_int(ref GValue value, int* array, int n);

    [LibraryImport(Library)]
    public static unsafe partial nint vips_array_image_new(nint* array, int n);

    [LibraryImport(Library)]
    public static partial nint vips_value_get_blob(ref GValue value, out nuint length);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int vips_enum_from_nick(string domain, nuint type, string nick);

    // --- operations ---
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint vips_operation_new(string name);

    [LibraryImport(Library)]
    public static partial nint vips_cache_operation_build(nint operation);

    [LibraryImport(Library)]
    public static partial void vips_object_unref_outputs(nint obj);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int vips_object_get_argument(nint obj, string name, out nint pspec, out nint argumentClass, out nint argumentInstance);

    // --- images ---
    [LibraryImport(Library)]
    public static partial int vips_image_get_width(nint image);

    [LibraryImport(Library)]
    public static partial int vips_image_get_height(nint image);

    [LibraryImport(Library)]
    public static partial int vips_image_get_bands(nint image);

    [LibraryImport(Library)]
    public static partial int vips_image_get_format(nint image);

    [LibraryImport(Library)]
    public static partial int vips_image_get_interpretation(nint image);

    [LibraryImport(Library)]
    public static partial int vips_image_get_n_pages(nint image);

    [LibraryImport(Library)]
    public static partial int vips_image_get_page_height(nint image);

    [LibraryImport(Library)]
    [return: MarshalAs(UnmanagedType.I4)]
    public static partial bool vips_image_hasalpha(nint image);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nuint vips_image_get_typeof(nint image, string name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int vips_image_get_int(nint image, string name, out int result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int vips_image_get_string(nint image, string name, out nint result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.I4)]
    public static partial bool vips_image_remove(nint image, string name);

    [LibraryImport(Library)]
    public static partial nint vips_image_copy_memory(nint image);

    [LibraryImport(Library)]
    public static partial nint vips_image_get_data(nint image);

    [LibraryImport(Library)]
    public static partial nint vips_image_new_memory();

    [LibraryImport(Library)]
    public static partial void vips_image_init_fields(nint image, int width, int height, int bands, int format, int coding,
        int interpretation, double xres, double yres);

    [LibraryImport(Library)]
    public static partial int vips_image_write_prepare(nint image);

    [LibraryImport(Library)]
    public static partial nint vips_image_get_fields(nint image);

    [LibraryImport(Library)]
    public static partial void g_strfreev(nint strings);

    [LibraryImport(Library)]
    public static unsafe partial nint vips_image_new_from_memory_copy(byte* data, nuint size, int width, int height, int bands, int format);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void vips_image_set_int(nint image, string name, int value);

    [LibraryImport(Library)]
    public static partial nint vips_image_write_to_memory(nint image, out nuint size);

    [LibraryImport(Library)]
    public static partial void vips_image_set_progress(nint image, [MarshalAs(UnmanagedType.I4)] bool progress);

    [LibraryImport(Library)]
    public static partial void vips_image_set_kill(nint image, [MarshalAs(UnmanagedType.I4)] bool kill);
}
