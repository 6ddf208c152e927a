using System.Diagnostics;
using System.Runtime.InteropServices;
using NetVips;
using Stox.Imaging.Vips;

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
    private readonly Func<ImageFormat, bool> _canDecode;
    private readonly Enums.FailOn _failOn;

    public VipsImageEngine(ImagingOptions? options = null)
        : this(options, decodable: null)
    {
    }

    /// <param name="decodable">The formats to accept; null: those this libvips build decodes.</param>
    internal VipsImageEngine(ImagingOptions? options, IReadOnlySet<ImageFormat>? decodable)
    {
        _options = options ?? new ImagingOptions();
        _decodes = new MemoryBudget(Math.Max(1, _options.DecodeBudgetBytes));
        _largeEncodes = new MemoryBudget(Math.Max(1, _options.LargeEncodeBudgetBytes));
        _failOn = Enum.Parse<Enums.FailOn>(_options.FailOn, ignoreCase: true);
        VipsRuntime.EnsureInitialised(_options);
        _canDecode = decodable is null ? DecoderSupport.CanDecode : decodable.Contains;
    }

    /// <summary>libvips version in use, e.g. 8.14.1.</summary>
    public static Version LibVipsVersion => VipsRuntime.Version;

    public bool CanDecode(ImageFormat format) => _canDecode(format);

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
                VipsException v => new ImageProcessingException("Image processing failed: " + VipsErrors.Detail(v), v),
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
        // image is rendered too. The loader's working memory is gone once it is.
        using var oriented = Decode(input, info, shrink, cost, job);
        admission.ReduceTo(cost.Decoded);

        // The decoded images and their share of the budget go back as soon as nothing reads them: the sizes are
        // made and the full-size encoders have what they need (libwebp its own YUV copy), often while the
        // original's WebP still has most of its work ahead. The next job decodes beside that tail instead of after
        // it. An enhanced job keeps the decoded image until its enhanced copy is made, and hands both back then.
        void Release(PixelImage image)
        {
            job.Untrack(image.Image);
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
            PixelImage betterMemory;
            using (var better = Enhancer.Apply(oriented.Image, spec.EnhanceStrength, spec.EnhanceDenoise))
            {
                betterMemory = Tracked(PixelImage.Render(better), job);
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
    private PixelImage Decode(ReadOnlyMemory<byte> input, ImageInfo info, int shrink, DecodeCost cost, JobScope job)
    {
        using var overflow = cost.Total > _decodes.Capacity ? _largeEncodes.Acquire(cost.Total - _decodes.Capacity, job.Token) : null;
        return Orient(DecodeToSrgb(input, info, shrink, job), info.Orientation, job);
    }

    /// <summary>Applies EXIF orientation 2-8 (read from the header: a decoded image carries no metadata).</summary>
    private static PixelImage Orient(PixelImage decoded, int orientation, JobScope job)
    {
        if (orientation is not (> 1 and <= 8))
        {
            return decoded;
        }

        try
        {
            using var tagged = decoded.Image.Mutate(m => m.Set(GValue.GIntType, "orientation", orientation));
            using var rotated = tagged.Autorot();
            return Tracked(PixelImage.Render(rotated), job);
        }
        finally
        {
            job.Untrack(decoded.Image);
            decoded.Dispose();
        }
    }

    private static PixelImage Tracked(PixelImage image, JobScope job)
    {
        job.Track(image.Image);
        return image;
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
    private List<EncodedVariant> RenderSet(PixelImage full, IReadOnlyList<ImagePreset> presets, OutputFormat[] formats,
        double? enhance, Action? fullNoLongerRead, JobScope job, out Image? smallest)
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
        var smallEncodes = new List<(ImagePreset Preset, PixelImage Image, OutputFormat Format, int Slot)>();
        var largeEncodes = new List<Task>();
        var sources = new List<(PixelImage Image, double Scale)> { (full, 1.0) };
        var made = new List<(ImagePreset Preset, PixelImage Image)>();
        var owned = new List<PixelImage>();
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

        void Schedule(ImagePreset preset, int index, PixelImage image)
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
                using var resized = Resize(source.Image, preset);
                PixelImage ready;
                if (enhance is { } strength)
                {
                    using var sharpened = Enhancer.Sharpen(resized, strength);
                    ready = PixelImage.Render(sharpened);
                }
                else
                {
                    ready = PixelImage.Render(resized);
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

            var smallestCopy = smallestMade.Image.Copy();
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
    private bool IsLarge(PixelImage image) => IsLarge(image.Image);

    private bool IsLarge(Image image) => (long)image.Width * image.Height >= _options.LargeEncodePixels;

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

    private static Image Resize(Image source, ImagePreset preset) =>
        source.ThumbnailImage(preset.Width, height: preset.Height, size: Enums.Size.Down, noRotate: true,
            crop: preset.Fit == PresetFit.Cover ? Enums.Interesting.Attention : null);

    /// <summary>Encodes one variant; <paramref name="pixelsRead"/>, if any, runs once the encoder no longer reads <paramref name="image"/>.</summary>
    private EncodedVariant Encode(PixelImage image, ImagePreset preset, OutputFormat format, JobScope job, Action? pixelsRead = null)
    {
        if (format == OutputFormat.WebP)
        {
            return EncodeWebp(image, preset, job, pixelsRead);
        }

        using var flattened = format == OutputFormat.Jpeg && image.Image.HasAlpha() ? image.Image.Flatten([255, 255, 255]) : null;
        var input = flattened ?? image.Image;
        job.Token.ThrowIfCancellationRequested();
        return new EncodedVariant(preset.Name, format, input.Width, input.Height, Save(input, preset, format));
    }

    private EncodedVariant EncodeWebp(PixelImage image, ImagePreset preset, JobScope job, Action? pixelsRead)
    {
        using var fitted = FitForWebp(image);
        var input = fitted ?? image;
        job.Token.ThrowIfCancellationRequested();
        var (width, height) = (input.Width, input.Height); // once its pixels are read, the image may be gone
        var effort = IsLarge(input) ? _options.LargeWebpEffort ?? _options.WebpEffort : _options.WebpEffort;
        var data = WebpEncoder.Encode(input, _options.WebpQuality, effort, job.Token, fitted is null ? pixelsRead : null);
        return new EncodedVariant(preset.Name, OutputFormat.WebP, width, height, data);
    }

    /// <summary>WebP cannot hold more than 16383 px a side: the WebP of a larger original is fitted inside that.</summary>
    private static PixelImage? FitForWebp(PixelImage image)
    {
        if (image.Width <= WebpMaxDimension && image.Height <= WebpMaxDimension)
        {
            return null;
        }

        using var fitted = image.Image.ThumbnailImage(WebpMaxDimension, height: WebpMaxDimension, size: Enums.Size.Down, noRotate: true);
        return PixelImage.Render(fitted);
    }

    /// <summary>JPEG and AVIF through libvips' savers (WebP goes through <see cref="WebpEncoder"/>).</summary>
    private byte[] Save(Image input, ImagePreset preset, OutputFormat format)
    {
        var options = format == OutputFormat.Jpeg
            ? new VOption { { "Q", _options.JpegQuality }, { "optimize_coding", true }, { "interlace", true } }
            : new VOption { { "Q", _options.AvifQuality }, { "compression", Enums.ForeignHeifCompression.Av1 }, { "effort", _options.AvifEffort } };
        options.Add("strip", true);
        try
        {
            return input.Save(FormatNames.Of(format).VipsOperation, options);
        }
        catch (VipsException e)
        {
            throw new ImageProcessingException($"Encoding {preset.Name} as {FormatNames.Of(format).Name} failed: {VipsErrors.Detail(e)}", e);
        }
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

    private ImageFormat Sniff(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new ImageRejectedException(ImageRejectionReason.Empty, "The file is empty.", "empty");
        }

        var format = FormatSniffer.Sniff(data, out var detected)
            ?? throw new ImageRejectedException(ImageRejectionReason.UnsupportedFormat,
                $"The file is not a supported image (detected: {detected}). Supported: {FormatNames.List(FormatNames.Accepted.Where(CanDecode))}.", detected);
        return CanDecode(format)
            ? format
            : throw new ImageRejectedException(ImageRejectionReason.UnsupportedFormat,
                $"{FormatNames.Of(format).Name} images cannot be decoded here: this server's libvips {LibVipsVersion.ToString(2)} has no decoder for them. Supported: {FormatNames.List(FormatNames.Accepted.Where(CanDecode))}.",
                detected);
    }

    /// <summary>Builds the loader: libvips reads the header here and decodes pixels only when asked.</summary>
    private Image LoadHeader(ReadOnlyMemory<byte> input, ImageFormat format, int shrink)
    {
        var options = new VOption { { "access", Enums.Access.Sequential }, { "fail_on", _failOn } };
        if (shrink > 1)
        {
            options.Add("shrink", shrink);
        }

        try
        {
            return ImageFields.Load(FormatNames.Of(format).VipsOperation, Bytes(input), options);
        }
        catch (VipsException e)
        {
            throw Reject(format, e, input.Span);
        }
    }

    /// <summary>NetVips takes arrays (and copies them for libvips): the caller's own array when the memory is all of one.</summary>
    private static byte[] Bytes(ReadOnlyMemory<byte> input) =>
        MemoryMarshal.TryGetArray(input, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : input.ToArray();

    private PixelImage DecodeToSrgb(ReadOnlyMemory<byte> input, ImageInfo info, int shrink, JobScope job)
    {
        var format = info.Format;
        if (format == ImageFormat.WebP && WebpDecoder.Probe(input.Span) is { } webp)
        {
            return Tracked(WebpDecoder.Decode(input.Span, webp), job);
        }

        var loaded = job.Track(LoadHeader(input, format, shrink));
        try
        {
            using var srgb = ToSrgb8(loaded);
            return Tracked(PixelImage.Render(srgb), job);
        }
        catch (VipsException e)
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
    private static Image ToSrgb8(Image image)
    {
        var current = image.Copy();
        try
        {
            var interpretation = current.Interpretation;
            if (image.Contains("icc-profile-data") || interpretation == Enums.Interpretation.Cmyk)
            {
                var next = current.IccTransform("srgb", inputProfile: interpretation == Enums.Interpretation.Cmyk ? "cmyk" : "srgb",
                    embedded: true, intent: Enums.Intent.Perceptual, depth: 8);
                current.Dispose();
                current = next;
            }

            if (current.Interpretation != Enums.Interpretation.Srgb || current.Format != Enums.BandFormat.Uchar)
            {
                var next = current.Colourspace(Enums.Interpretation.Srgb);
                current.Dispose();
                current = next;
            }

            if (current.Format != Enums.BandFormat.Uchar)
            {
                var next = current.Cast(Enums.BandFormat.Uchar);
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

    private static ImageInfo Describe(Image image, ImageFormat format, long bytes)
    {
        var pages = image.Pages();
        var pageHeight = image.PageHeight;
        var height = pages > 1 && pageHeight > 0 ? pageHeight : image.Height;
        return new ImageInfo(
            format,
            image.Width,
            height,
            pages,
            bytes,
            image.HasAlpha(),
            image.IntField("orientation") ?? 1,
            image.Contains("icc-profile-data"),
            image.InterpretationNick());
    }

    private static ImageRejectedException Reject(ImageFormat format, VipsException e, ReadOnlySpan<byte> input)
    {
        // libvips' error buffer is process-wide, so under concurrency a message may be missing or another
        // job's: the file's own structure decides first.
        var message = VipsErrors.Detail(e);
        var truncated = FormatSniffer.LooksTruncated(format, input)
            || message.Contains("premature end", StringComparison.OrdinalIgnoreCase)
            || message.Contains("truncated", StringComparison.OrdinalIgnoreCase)
            || message.Contains("end of file", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not enough data", StringComparison.OrdinalIgnoreCase);
        var first = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? message;
        return truncated ? ImageRejectedException.Truncated(format, first, e) : ImageRejectedException.Corrupt(format, first, e);
    }
}

/// <summary>
/// Native memory of images, for metrics and leak checks: libvips' tracked memory (its pixel buffers and the like) and
/// the buffers of <see cref="PixelImage"/>s (allocated outside libvips' tracking).
/// </summary>
public readonly record struct NativeMemoryStats(long Bytes, long HighWater, int Allocations, int OpenFiles, long PixelBuffers, long PixelBufferBytes)
{
    public static NativeMemoryStats Current
    {
        get
        {
            VipsRuntime.EnsureInitialised(null);
            var (buffers, bytes) = PixelImage.Live;
            return new NativeMemoryStats(Stats.Mem, (long)Stats.MemHighwater, Stats.Allocations, Stats.Files, buffers, bytes);
        }
    }
}
