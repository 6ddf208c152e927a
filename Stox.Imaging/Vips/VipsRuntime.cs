using NetVips;

namespace Stox.Imaging.Vips;

/// <summary>
/// Process-wide libvips settings, applied once by the first engine. NetVips loads <c>libvips.so.42</c> itself:
/// Debian's 8.14 from libvips42 here (no NetVips.Native package, see README), or whatever build sits first on the
/// loader's path.
/// </summary>
internal static class VipsRuntime
{
    /// <summary>The loaders uploads may use (class names; each unblocks its subclasses).</summary>
    private static readonly string[] AllowedLoaders =
    [
        "VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp",
        "VipsForeignLoadNsgif", "VipsForeignLoadHeif", "VipsForeignLoadTiff",
    ];

    private const Enums.LogLevelFlags Warnings = Enums.LogLevelFlags.Critical | Enums.LogLevelFlags.Warning
        | Enums.LogLevelFlags.Message | Enums.LogLevelFlags.Info;

    private static readonly Lock Gate = new();
    private static Action<string>? _logWarning;
    private static bool _initialised;

    public static Version Version { get; private set; } = new(0, 0, 0);

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

            if (!ModuleInitializer.VipsInitialized)
            {
                throw new ImageProcessingException(
                    "libvips could not be loaded: install Debian's libvips42 (./build.sh does). " + ModuleInitializer.Exception?.Message,
                    ModuleInitializer.Exception);
            }

            options ??= new ImagingOptions();
            Version = new Version(NetVips.NetVips.Version(0), NetVips.NetVips.Version(1), NetVips.NetVips.Version(2));
            Cache.Max = options.OperationCacheSize;
            Cache.MaxMem = options.OperationCacheSize == 0 ? 0 : 16UL * 1024 * 1024;
            Cache.MaxFiles = options.OperationCacheSize == 0 ? 0 : 10;
            if (options.VipsConcurrency > 0)
            {
                NetVips.NetVips.Concurrency = options.VipsConcurrency;
            }

            // Untrusted loaders (ImageMagick, PDF, SVG, OpenSlide, FITS, ...) never run; then block every
            // loader and open only the allow-list. The engine also calls loaders by name after sniffing.
            NetVips.NetVips.BlockUntrusted = true;
            Operation.Block("VipsForeignLoad", true);
            foreach (var loader in AllowedLoaders)
            {
                Operation.Block(loader, false);
            }

            // libvips logs per-tile warnings ("error in tile 0 x 48") when a job fails; the job's exception already
            // carries the message, so they go to ImagingOptions.LogWarning (default: dropped).
            _logWarning = options.LogWarning;
            Log.SetLogHandler("VIPS", Warnings, static (_, _, message) => LogWarning(message));
            Volatile.Write(ref _initialised, true);
        }
    }

    private static void LogWarning(string? message)
    {
        try
        {
            _logWarning?.Invoke(message ?? string.Empty);
        }
#pragma warning disable CA1031 // called from native code: an exception must never unwind into it
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
