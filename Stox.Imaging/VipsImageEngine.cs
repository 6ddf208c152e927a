using System.Diagnostics;
using Stox.Imaging.Native;

namespace Stox.Imaging;

/// <summary>
/// The libvips backend. One job: sniff, read the header, refuse bombs, decode once into memory
/// (auto-oriented, colour-managed to 8-bit sRGB), derive each smaller size from the smallest larger
/// one already made, then encode every (preset, format) pair in parallel with metadata stripped.
/// </summary>
public sealed class VipsImageEngine : IImageEngine
{
    private const int WebpMaxDimension = 16383;
    private readonly ImagingOptions _options;
    private readonly MemoryBudget _decodes;
    private readonly MemoryBudget _largeEncodes;

    public VipsImageEngine(ImagingOptions? options = null)
    {
        _options = options ?? new ImagingOptions();
        _decodes = new MemoryBudget(Math.Max(1, _options.DecodeBudgetBytes));
        _largeEncodes = new MemoryBudget(Math.Max(1, _options.LargeEncodeBudgetBytes));
        VipsLibrary.EnsureInitialised(_options);
    }

    /// <summary>libvips version in use, e.g. 8.14.1.</summary>
    public static Version LibVipsVersion => VipsLibrary.Version;

    /// <summary>The file libvips was loaded from.</summary>
    public static string? LibraryPath => VipsLibrary.LoadedPath;

    public ImageInfo Probe(ReadOnlyMemory<byte> input)
    {
        var format = Sniff(input.Span);
        using var image = LoadHeader(input, format, shrink: 1);
        return Describe(image, format, input.Length);
    }

    public async Task<ImageProcessingResult> ProcessAsync(Stream input, ImageJobSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _options.MaxInputBytes)
            {
                throw new ImageRejectedException(ImageRejectionReason.TooLarge,
                    $"The file is larger than the {_options.MaxInputBytes / (1024 * 1024)} MB limit.");
            }

            buffer.Write(chunk, 0, read);
        }

        return await ProcessAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), spec, cancellationToken);
    }

    public Task<ImageProcessingResult> ProcessAsync(ReadOnlyMemory<byte> input, ImageJobSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => Process(input, spec, cancellationToken), cancellationToken);
    }

    private ImageProcessingResult Process(ReadOnlyMemory<byte> input, ImageJobSpec spec, CancellationToken callerToken)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = spec.Timeout ?? _options.DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        deadline.CancelAfter(timeout);
        using var job = new JobScope(deadline.Token);
        try
        {
            var result = Run(input, spec, job);
            return result with { Elapsed = Stopwatch.GetElapsedTime(started) };
        }
        catch (Exception e)
        {
            throw Translate(e is AggregateException { InnerExceptions.Count: > 0 } a ? a.InnerExceptions[0] : e);
        }

        // Callers see only the documented exception types.
        Exception Translate(Exception e)
        {
            if (e is ImageRejectedException)
            {
                return e;
            }

            if (deadline.IsCancellationRequested)
            {
                return callerToken.IsCancellationRequested
                    ? new OperationCanceledException("The image job was cancelled.", e, callerToken)
                    : new TimeoutException($"The image job did not finish within {timeout.TotalSeconds:0.#} s.", e);
            }

            return e switch
            {
                ImageProcessingException or ArgumentException => e,
                VipsCallException v => new ImageProcessingException($"Image processing failed in {v.Operation}: {v.VipsMessage}", v),
                _ => new ImageProcessingException("Image processing failed: " + e.Message, e),
            };
        }
    }

    private ImageProcessingResult Run(ReadOnlyMemory<byte> input, ImageJobSpec spec, JobScope job)
    {
        if (input.Length > _options.MaxInputBytes)
        {
            throw new ImageRejectedException(ImageRejectionReason.TooLarge,
                $"The file is larger than the {_options.MaxInputBytes / (1024 * 1024)} MB limit.");
        }

        var format = Sniff(input.Span);
        var presets = spec.Presets ?? _options.Presets.ToArray();
        if (presets.Count == 0 || spec.Formats == OutputFormats.None)
        {
            throw new ArgumentException("The job spec asks for no presets or no formats.", nameof(spec));
        }

        // Header only: nothing is decoded until the pixel limit has been checked.
        ImageInfo info;
        DecodeCost cost;
        var shrink = 1;
        using (var header = LoadHeader(input, format, 1))
        {
            info = Describe(header, format, input.Length);
            var limit = spec.MaxPixels ?? _options.MaxPixels;
            var pixels = (long)info.Width * info.Height * info.Pages;
            if (pixels > limit)
            {
                throw new ImageRejectedException(ImageRejectionReason.TooManyPixels,
                    $"The image is too large: {info.Width}x{info.Height}" + (info.Pages > 1 ? $" x {info.Pages} frames" : string.Empty)
                    + $" is {pixels / 1e6:0.#} MP, over the {limit / 1e6:0.#} MP limit.");
            }

            shrink = format == ImageFormat.Jpeg ? JpegShrink(info, presets) : 1;
            cost = DecodeCost.Of(header, info, input.Span, shrink, spec.Enhance);
        }

        job.Token.ThrowIfCancellationRequested();
        // Jobs wait here while other jobs' decodes fill the budget: what bounds memory under concurrency.
        using var admission = _decodes.Acquire(cost.Total, job.Token);

        // The decoded image stays in memory for every variant (the encoders read it in place), so a rotated
        // image is materialised too. The loader's working memory is gone once it is.
        using var oriented = Decode(input, info, shrink, cost, job);
        admission.ReduceTo(cost.Decoded);

        // The decoded images and their share of the budget go back as soon as nothing reads them: the sizes are
        // made and the full-size encoders have what they need (libwebp its own YUV copy), often while the
        // original's WebP still has most of its work ahead. The next job decodes beside that tail instead of after
        // it. An enhanced job keeps the decoded image until its enhanced copy is made, and hands both back then.
        void Release(VipsImage image)
        {
            job.Untrack(image);
            image.Dispose();
        }

        Action? decodedNoLongerRead = spec.Enhance ? null : () =>
        {
            Release(oriented);
            admission.Dispose();
        };

        var formats = Formats(spec.Formats);
        var variants = RenderSet(oriented, presets, formats, enhance: null, decodedNoLongerRead, job, out var smallest);
        string? placeholder = null;
        string? dominant = null;
        using (smallest)
        {
            if (spec.Placeholder && smallest is not null)
            {
                (placeholder, dominant) = Placeholders.Compute(smallest);
            }
        }

        IReadOnlyList<EncodedVariant> enhanced = [];
        if (spec.Enhance)
        {
            job.Token.ThrowIfCancellationRequested();
            VipsImage betterMemory;
            using (var better = Enhancer.Apply(oriented, spec.EnhanceStrength, spec.EnhanceDenoise))
            {
                betterMemory = job.Track(better.CopyMemory());
            }

            using var enhancedFull = betterMemory;
            Release(oriented); // the enhanced copy is all that is read from here on
            admission.ReduceTo(cost.Decoded / 2);
            job.Token.ThrowIfCancellationRequested();
            enhanced = RenderSet(enhancedFull, presets, formats, enhance: spec.EnhanceStrength, () =>
            {
                Release(enhancedFull);
                admission.Dispose();
            }, job, out var smallestEnhanced);
            smallestEnhanced?.Dispose();
        }

        return new ImageProcessingResult(info, variants, enhanced, placeholder, dominant, TimeSpan.Zero);
    }

    /// <summary>
    /// Decodes, colour-manages and orients. A decode larger than the whole decode budget (a progressive JPEG keeps
    /// every coefficient, a WebP its canvas) takes the rest from the encode budget while it runs, so other jobs'
    /// encoders do not run beside it unaccounted; it gives that back before its own encoders ask for it.
    /// </summary>
    private VipsImage Decode(ReadOnlyMemory<byte> input, ImageInfo info, int shrink, DecodeCost cost, JobScope job)
    {
        using var overflow = cost.Total > _decodes.Capacity ? _largeEncodes.Acquire(cost.Total - _decodes.Capacity, job.Token) : null;
        return Orient(DecodeToSrgb(input, info, shrink, job), job);
    }

    private static VipsImage Orient(VipsImage decoded, JobScope job)
    {
        if (decoded.GetInt("orientation") is not (> 1 and <= 8))
        {
            return decoded;
        }

        try
        {
            using var rotated = decoded.Autorot();
            return job.Track(rotated.CopyMemory());
        }
        finally
        {
            job.Untrack(decoded);
            decoded.Dispose();
        }
    }

    /// <summary>
    /// Makes every preset image (each from the smallest larger one) and encodes them all. Large encodes (the
    /// full-size ones above all) start as soon as their image exists, each on a thread of its own under the
    /// process-wide encoder-memory budget, so the originals' encodes run beside the resizing and beside each other
    /// when they fit;
    /// the small encodes share the remaining parallelism. <paramref name="fullNoLongerRead"/> runs once nothing
    /// will read <paramref name="full"/> again (it may run on an encoder's thread; this method no longer touches
    /// the image then).
    /// </summary>
    private List<EncodedVariant> RenderSet(VipsImage full, IReadOnlyList<ImagePreset> presets, OutputFormat[] formats,
        double? enhance, Action? fullNoLongerRead, JobScope job, out VipsImage? smallest)
    {
        var fullW = full.Width;
        var fullH = full.Height;

        // Largest first, so each size can be made from the previous one rather than from the full image.
        var ordered = presets
            .Select((p, i) => (Preset: p, Index: i, Scale: TargetScale(p, fullW, fullH)))
            .OrderByDescending(x => x.Scale)
            .ThenBy(x => x.Preset.Fit == PresetFit.Cover ? 1 : 0)
            .ToList();

        var encoded = new EncodedVariant[presets.Count * formats.Length];
        var smallEncodes = new List<(ImagePreset Preset, VipsImage Image, OutputFormat Format, int Slot)>();
        var largeEncodes = new List<Task>();
        var sources = new List<(VipsImage Image, double Scale)> { (full, 1.0) };
        var made = new List<(ImagePreset Preset, VipsImage Image)>();
        var owned = new List<VipsImage>();
        smallest = null;

        // Readers of the full image: the resizing below, and each encode of it until it has read its pixels.
        var fullReaders = 1;
        void FullRead()
        {
            if (Interlocked.Decrement(ref fullReaders) == 0)
            {
                fullNoLongerRead?.Invoke();
            }
        }

        void Schedule(ImagePreset preset, int index, VipsImage image)
        {
            made.Add((preset, image));
            for (var f = 0; f < formats.Length; f++)
            {
                var (format, slot) = (formats[f], index * formats.Length + f);
                if (!IsLarge(image))
                {
                    smallEncodes.Add((preset, image, format, slot));
                    continue;
                }

                var readsFull = ReferenceEquals(image, full);
                if (readsFull)
                {
                    Interlocked.Increment(ref fullReaders);
                }

                // A thread of its own (LongRunning), not a pool thread: it blocks for the budget and then for
                // hundreds of milliseconds in the encoder, and a starved pool adds threads only every half second.
                var encoderBytes = (long)image.Width * image.Height * EncoderBytesPerPixel(format);
                largeEncodes.Add(Task.Factory.StartNew(() =>
                {
                    var read = 0;
                    void PixelsRead()
                    {
                        if (readsFull && Interlocked.Exchange(ref read, 1) == 0)
                        {
                            FullRead();
                        }
                    }

                    try
                    {
                        using var lease = _largeEncodes.Acquire(encoderBytes, job.Token);
                        encoded[slot] = Encode(image, preset, format, job, PixelsRead);
                    }
                    finally
                    {
                        PixelsRead();
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }
        }

        try
        {
            foreach (var (preset, index, _) in ordered.Where(x => x.Preset.Fit == PresetFit.Original))
            {
                Schedule(preset, index, full);
            }

            foreach (var (preset, index, scale) in ordered.Where(x => x.Preset.Fit != PresetFit.Original))
            {
                job.Token.ThrowIfCancellationRequested();
                var source = sources.Where(s => s.Scale >= scale).MinBy(s => s.Scale).Image;
                using var resized = Resize(source, preset);
                VipsImage ready;
                if (enhance is { } strength)
                {
                    using var sharpened = Enhancer.Sharpen(resized, strength);
                    ready = sharpened.CopyMemory();
                }
                else
                {
                    ready = resized.CopyMemory();
                }

                owned.Add(ready);
                if (preset.Fit == PresetFit.Inside)
                {
                    sources.Add((ready, Math.Min((double)ready.Width / fullW, (double)ready.Height / fullH)));
                }

                Schedule(preset, index, ready);
            }

            var parallelism = Math.Max(1, _options.EncodeParallelism - (largeEncodes.Count > 0 ? 1 : 0));
            Parallel.ForEach(smallEncodes,
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = job.Token },
                e => encoded[e.Slot] = Encode(e.Image, e.Preset, e.Format, job));

            // The placeholder comes from the smallest uncropped variant, so it has the image's aspect ratio.
            var smallestMade = full;
            var smallestPixels = (long)fullW * fullH;
            foreach (var m in made)
            {
                if (m.Preset.Fit != PresetFit.Cover && (long)m.Image.Width * m.Image.Height < smallestPixels)
                {
                    (smallestMade, smallestPixels) = (m.Image, (long)m.Image.Width * m.Image.Height);
                }
            }

            var smallestCopy = smallestMade.Copy();
            try
            {
                FullRead(); // this thread is done with the full image
                Task.WaitAll(largeEncodes); // a cancelled job's encodes are killed through the job scope
            }
            catch
            {
                smallestCopy.Dispose();
                throw;
            }

            var list = encoded.ToList();
            Deduplicate(list);
            smallest = smallestCopy;
            return list;
        }
        finally
        {
            // The large encodes read these images (and the caller's full image): they must end before either goes.
            try
            {
                Task.WaitAll(largeEncodes);
            }
            catch (AggregateException)
            {
                // Already reported by the WaitAll above, or the job is failing for another reason.
            }

            foreach (var image in owned)
            {
                image.Dispose();
            }
        }
    }

    /// <summary>A smaller variant that comes out with the same size as a larger one reuses its bytes.</summary>
    private static void Deduplicate(List<EncodedVariant> list)
    {
        // The first of each (format, size) in preset order wins; later twins reuse its bytes.
        var seen = new Dictionary<(OutputFormat, int, int), byte[]>();
        for (var i = 0; i < list.Count; i++)
        {
            var v = list[i];
            var key = (v.Format, v.Width, v.Height);
            if (seen.TryGetValue(key, out var data))
            {
                list[i] = v with { Data = data };
            }
            else
            {
                seen[key] = v.Data;
            }
        }

    }

    /// <summary>Encodes of images this large share the process-wide encode budget and use <see cref="ImagingOptions.LargeWebpEffort"/>.</summary>
    private bool IsLarge(VipsImage image) => (long)image.Width * image.Height >= _options.LargeEncodePixels;

    /// <summary>Peak encoder memory a pixel (see <see cref="ImagingOptions.LargeEncodeBudgetBytes"/>).</summary>
    private static int EncoderBytesPerPixel(OutputFormat format) => format switch
    {
        OutputFormat.Jpeg => 3,
        OutputFormat.WebP => 2,
        _ => 18,
    };

    private static double TargetScale(ImagePreset preset, int w, int h) => preset.Fit switch
    {
        PresetFit.Original => 1.0,
        PresetFit.Inside => Math.Min(1.0, Math.Min((double)preset.Width / w, (double)preset.Height / h)),
        _ => Math.Min(1.0, Math.Max((double)preset.Width / w, (double)preset.Height / h)),
    };

    private static VipsImage Resize(VipsImage source, ImagePreset preset) =>
        VipsOperation.CallImage("thumbnail_image",
            ("in", source),
            ("width", preset.Width),
            ("height", preset.Height),
            ("size", "down"),
            ("no_rotate", true),
            ("crop", preset.Fit == PresetFit.Cover ? "attention" : null));

    /// <summary>Encodes one variant; <paramref name="pixelsRead"/>, if any, runs once the encoder no longer reads <paramref name="image"/>.</summary>
    private EncodedVariant Encode(VipsImage image, ImagePreset preset, OutputFormat format, JobScope job, Action? pixelsRead = null)
    {
        VipsImage? owned = null;
        try
        {
            var input = image;
            if (format == OutputFormat.WebP && (input.Width > WebpMaxDimension || input.Height > WebpMaxDimension))
            {
                // WebP cannot hold more than 16383 px a side: the WebP of such an original is fitted inside that.
                owned = VipsOperation.CallImage("thumbnail_image", ("in", input), ("width", WebpMaxDimension),
                    ("height", WebpMaxDimension), ("size", "down"), ("no_rotate", true));
                input = owned;
            }
            else if (format == OutputFormat.Jpeg && input.HasAlpha)
            {
                owned = input.Flatten([255, 255, 255]);
                input = owned;
            }

            job.Token.ThrowIfCancellationRequested();
            var data = format == OutputFormat.WebP
                ? WebpEncoder.Encode(input, _options.WebpQuality, IsLarge(input) ? _options.LargeWebpEffort ?? _options.WebpEffort : _options.WebpEffort,
                    job.Token, owned is null ? pixelsRead : null)
                : Save(input, preset, format);

            return new EncodedVariant(preset.Name, format, input.Width, input.Height, data);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>JPEG and AVIF through libvips' savers (WebP goes through <see cref="WebpEncoder"/>).</summary>
    private byte[] Save(VipsImage input, ImagePreset preset, OutputFormat format)
    {
        using var op = VipsOperation.Create(format == OutputFormat.Jpeg ? "jpegsave_buffer" : "heifsave_buffer");
        op.Set("in", input).Set("strip", true);
        if (format == OutputFormat.Jpeg)
        {
            op.Set("Q", _options.JpegQuality).Set("optimize_coding", true).Set("interlace", true);
        }
        else
        {
            op.Set("Q", _options.AvifQuality).Set("compression", "av1").Set("effort", _options.AvifEffort);
        }

        try
        {
            op.Build();
        }
        catch (VipsCallException e)
        {
            throw new ImageProcessingException($"Encoding {preset.Name} as {format} failed: {e.VipsMessage}", e);
        }

        return op.GetBlob("buffer");
    }

    private static OutputFormat[] Formats(OutputFormats formats)
    {
        var list = new List<OutputFormat>(3);
        if (formats.HasFlag(OutputFormats.Jpeg))
        {
            list.Add(OutputFormat.Jpeg);
        }

        if (formats.HasFlag(OutputFormats.WebP))
        {
            list.Add(OutputFormat.WebP);
        }

        if (formats.HasFlag(OutputFormats.Avif))
        {
            list.Add(OutputFormat.Avif);
        }

        return [.. list];
    }

    /// <summary>JPEG shrink-on-load: the largest power of two that still leaves every preset at least its size.</summary>
    private static int JpegShrink(ImageInfo info, IReadOnlyList<ImagePreset> presets)
    {
        if (presets.Any(p => p.Fit == PresetFit.Original))
        {
            return 1;
        }

        var (w, h) = info.OrientedSize;
        var largest = presets.Max(p => TargetScale(p, w, h));
        var shrink = 1;
        while (shrink < 8 && largest * shrink * 2 <= 1.0)
        {
            shrink *= 2;
        }

        return shrink;
    }

    private static ImageFormat Sniff(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new ImageRejectedException(ImageRejectionReason.Empty, "The file is empty.", "empty");
        }

        return FormatSniffer.Sniff(data, out var detected)
            ?? throw new ImageRejectedException(ImageRejectionReason.UnsupportedFormat,
                $"The file is not a supported image (detected: {detected}). Supported: JPEG, PNG, WebP, GIF, HEIC/AVIF, TIFF.", detected);
    }

    private static string LoaderOf(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "jpegload_buffer",
        ImageFormat.Png => "pngload_buffer",
        ImageFormat.WebP => "webpload_buffer",
        ImageFormat.Gif => "gifload_buffer",
        ImageFormat.Heic or ImageFormat.Avif => "heifload_buffer",
        _ => "tiffload_buffer",
    };

    /// <summary>Builds the loader: libvips reads the header here and decodes pixels only when asked.</summary>
    private VipsImage LoadHeader(ReadOnlyMemory<byte> input, ImageFormat format, int shrink)
    {
        try
        {
            using var op = VipsOperation.Create(LoaderOf(format));
            op.Set("buffer", input).Set("access", "sequential").Set("fail_on", _options.FailOn);
            if (shrink > 1)
            {
                op.Set("shrink", shrink);
            }

            op.Build();
            return op.GetImage("out");
        }
        catch (VipsCallException e)
        {
            throw Reject(format, e, input.Span);
        }
    }

    private VipsImage DecodeToSrgb(ReadOnlyMemory<byte> input, ImageInfo info, int shrink, JobScope job)
    {
        var format = info.Format;
        if (format == ImageFormat.WebP && WebpDecoder.Probe(input.Span) is { } webp)
        {
            return job.Track(WebpDecoder.Decode(input.Span, webp, info.Orientation));
        }

        var loaded = job.Track(LoadHeader(input, format, shrink));
        try
        {
            using var srgb = ToSrgb8(loaded);
            var decoded = srgb.CopyMemory();
            var orientation = decoded.GetInt("orientation");
            decoded.RemoveMetadata();
            if (orientation is > 1 and <= 8)
            {
                // Kept for autorot, which applies and then drops it.
                decoded.SetInt("orientation", orientation.Value);
            }

            return job.Track(decoded);
        }
        catch (VipsCallException e)
        {
            job.Token.ThrowIfCancellationRequested();
            throw Reject(format, e, input.Span);
        }
        finally
        {
            job.Untrack(loaded);
            loaded.Dispose();
        }
    }

    /// <summary>Colour-manages to 8-bit sRGB (embedded ICC profiles and CMYK through lcms), keeping alpha.</summary>
    private static VipsImage ToSrgb8(VipsImage image)
    {
        VipsImage current = image.Copy();
        try
        {
            var interpretation = current.Interpretation;
            if (image.HasField("icc-profile-data") || interpretation == Interpretation.Cmyk)
            {
                var next = VipsOperation.CallImage("icc_transform",
                    ("in", current),
                    ("output_profile", "srgb"),
                    ("input_profile", interpretation == Interpretation.Cmyk ? "cmyk" : "srgb"),
                    ("embedded", true),
                    ("intent", "perceptual"),
                    ("depth", 8));
                current.Dispose();
                current = next;
            }

            if (current.Interpretation != Interpretation.Srgb || current.Format != BandFormat.UChar)
            {
                var next = current.Colourspace("srgb");
                current.Dispose();
                current = next;
            }

            if (current.Format != BandFormat.UChar)
            {
                var next = current.Cast("uchar");
                current.Dispose();
                current = next;
            }

            return current;
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }

    private static ImageInfo Describe(VipsImage image, ImageFormat format, long bytes)
    {
        var pages = image.Pages;
        var pageHeight = image.PageHeight;
        var height = pages > 1 && pageHeight > 0 ? pageHeight : image.Height;
        return new ImageInfo(
            format,
            image.Width,
            height,
            pages,
            bytes,
            image.HasAlpha,
            image.GetInt("orientation") ?? 1,
            image.HasField("icc-profile-data"),
            Nick(image.Interpretation));
    }

    private static string Nick(Interpretation interpretation) => interpretation switch
    {
        Interpretation.BW => "b-w",
        Interpretation.Srgb => "srgb",
        Interpretation.Rgb16 => "rgb16",
        Interpretation.Grey16 => "grey16",
        Interpretation.Cmyk => "cmyk",
        Interpretation.Rgb => "rgb",
        Interpretation.Lab => "lab",
        Interpretation.ScRgb => "scrgb",
        _ => interpretation.ToString().ToLowerInvariant(),
    };

    private static ImageRejectedException Reject(ImageFormat format, VipsCallException e, ReadOnlySpan<byte> input)
    {
        // libvips' error buffer is process-wide, so under concurrency a message may be missing or another
        // job's: the file's own structure decides first.
        var message = e.VipsMessage;
        var truncated = FormatSniffer.LooksTruncated(format, input)
            || message.Contains("premature end", StringComparison.OrdinalIgnoreCase)
            || message.Contains("truncated", StringComparison.OrdinalIgnoreCase)
            || message.Contains("end of file", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not enough data", StringComparison.OrdinalIgnoreCase);
        var first = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? message;
        return truncated
            ? new ImageRejectedException(ImageRejectionReason.Truncated,
                $"The {format.ToString().ToUpperInvariant()} file is truncated (incomplete upload?): {first}", format.ToString().ToUpperInvariant(), e)
            : new ImageRejectedException(ImageRejectionReason.Corrupt,
                $"The {format.ToString().ToUpperInvariant()} file is damaged and cannot be decoded: {first}", format.ToString().ToUpperInvariant(), e);
    }
}

/// <summary>libvips' tracked native memory (pixel buffers and the like), for metrics and leak checks.</summary>
public readonly record struct NativeMemoryStats(long Bytes, long HighWater, int Allocations, int OpenFiles)
{
    public static NativeMemoryStats Current
    {
        get
        {
            VipsLibrary.EnsureInitialised(null);
            return new NativeMemoryStats(
                Native.LibVips.vips_tracked_get_mem(),
                Native.LibVips.vips_tracked_get_mem_highwater(),
                Native.LibVips.vips_tracked_get_allocs(),
                Native.LibVips.vips_tracked_get_files());
        }
    }
}
