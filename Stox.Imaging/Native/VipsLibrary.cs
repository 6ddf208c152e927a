using System.Reflection;
using System.Runtime.InteropServices;

namespace Stox.Imaging.Native;

/// <summary>
/// Loads and initialises libvips once per process. The file is <see cref="ImagingOptions.LibraryPath"/>,
/// else the <c>STOX_LIBVIPS_PATH</c> environment variable, else Debian's <c>libvips.so.42</c>.
/// Only one libvips can live in a process (both builds carry GLib), so the first initialisation wins.
/// </summary>
internal static class VipsLibrary
{
    public const string DefaultLibrary = "libvips.so.42";

    /// <summary>The loaders uploads may use (class names; each unblocks its subclasses).</summary>
    private static readonly string[] AllowedLoaders =
    [
        "VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp",
        "VipsForeignLoadNsgif", "VipsForeignLoadHeif", "VipsForeignLoadTiff",
    ];

    /// <summary>G_LOG_LEVEL_CRITICAL | WARNING | MESSAGE | INFO, plus G_LOG_FLAG_RECURSION.</summary>
    private const int WarningLevels = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | 1;

    private static readonly Lock Gate = new();
    private static Action<string>? _logWarning;
    private static string? _loadedPath;
    private static bool _initialised;

    public static string? LoadedPath => _loadedPath;

    public static Version Version { get; private set; } = new(0, 0, 0);

    /// <summary>8.17 renamed thumbnail's import/export_profile to input/output_profile.</summary>
    public static bool HasInputOutputProfileNames => Version >= new Version(8, 17);

    public static void EnsureInitialised(ImagingOptions? options)
    {
        if (Volatile.Read(ref _initialised))
        {
            return;
        }

        lock (Gate)
        {
            if (_initialised)
            {
                return;
            }

            options ??= new ImagingOptions();
            var path = options.LibraryPath
                ?? Environment.GetEnvironmentVariable("STOX_LIBVIPS_PATH")
                ?? DefaultLibrary;
            _loadedPath = path;
            NativeLibrary.SetDllImportResolver(typeof(VipsLibrary).Assembly, Resolve);

            if (LibVips.vips_init("stox") != 0)
            {
                throw new ImageProcessingException("libvips failed to initialise: " + VipsError.TakeMessage());
            }

            Version = new Version(LibVips.vips_version(0), LibVips.vips_version(1), LibVips.vips_version(2));
            LibVips.vips_cache_set_max(options.OperationCacheSize);
            LibVips.vips_cache_set_max_mem(options.OperationCacheSize == 0 ? 0 : (nuint)(16 * 1024 * 1024));
            LibVips.vips_cache_set_max_files(options.OperationCacheSize == 0 ? 0 : 10);
            if (options.VipsConcurrency > 0)
            {
                LibVips.vips_concurrency_set(options.VipsConcurrency);
            }

            // Untrusted loaders (ImageMagick, PDF, SVG, OpenSlide, FITS, ...) never run; then block every
            // loader and open only the allow-list. The engine also calls loaders by name after sniffing.
            LibVips.vips_block_untrusted_set(true);
            LibVips.vips_operation_block_set("VipsForeignLoad", true);
            foreach (var loader in AllowedLoaders)
            {
                LibVips.vips_operation_block_set(loader, false);
            }

            // libvips logs per-tile warnings ("error in tile 0 x 48") to stderr when a job fails; the job's
            // exception already carries the message, so route them to ImagingOptions.LogWarning (default: drop).
            _logWarning = options.LogWarning;
            unsafe
            {
                delegate* unmanaged[Cdecl]<nint, int, nint, nint, void> handler = &OnLog;
                LibVips.g_log_set_handler("VIPS", WarningLevels, (nint)handler, 0);
            }

            Volatile.Write(ref _initialised, true);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static void OnLog(nint domain, int level, nint message, nint data)
    {
        try
        {
            _logWarning?.Invoke(Marshal.PtrToStringUTF8(message) ?? string.Empty);
        }
#pragma warning disable CA1031 // an exception must never unwind into native code
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibVips.Library)
        {
            return 0;
        }

        var path = _loadedPath ?? DefaultLibrary;
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw new ImageProcessingException(
                $"libvips could not be loaded from '{path}'. Install Debian's libvips42 or set ImagingOptions.LibraryPath / STOX_LIBVIPS_PATH.", e);
        }
    }
}

/// <summary>Reads libvips' error buffer (a thread-safe copy that also clears it).</summary>
internal static class VipsError
{
    public static string TakeMessage()
    {
        var ptr = LibVips.vips_error_buffer_copy();
        if (ptr == 0)
        {
            return "unknown libvips error";
        }

        try
        {
            var text = Marshal.PtrToStringUTF8(ptr)?.Trim();
            return string.IsNullOrEmpty(text) ? "unknown libvips error" : text;
        }
        finally
        {
            LibVips.g_free(ptr);
        }
    }
}
