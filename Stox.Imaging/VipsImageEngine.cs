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
    private readonly Encoders _encoders;

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
        _encoders = new Encoders(_options);
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
            throw ImageJobFailure.Translate(e, deadline, callerToken, timeout, inner => inner is VipsException v ? VipsErrors.Detail(v) : inner.Message);
        }
    }

    private ImageProcessingResult Run(ReadOnlyMemory<byte> input, ImageJobSpec spec, JobScope job)
    {
        VariantPlan.CheckInputSize(input.Length, _options);
        var format = Sniff(input.Span);
        var presets = VariantPlan.Presets(spec, _options);

        // Header only: nothing is decoded until the pixel limit has been checked.
        ImageInfo info;
        DecodeCost cost;
        int shrink;
        using (var header = LoadHeader(input, format, 1))
        {
            info = Describe(header, format, input.Length);
            VariantPlan.CheckPixels(info, spec.MaxPixels ?? _options.MaxPixels);
            shrink = format == ImageFormat.Jpeg ? VariantPlan.ShrinkOnLoad(info, presets) : 1;
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

        var formats = VariantPlan.Formats(spec.Formats);
        var variants = SetRender.Run(_encoders, _largeEncodes, oriented, presets, formats, enhance: null, decodedNoLongerRead, job, out var smallest);
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
            enhanced = SetRender.Run(_encoders, _largeEncodes, enhancedFull, presets, formats, enhance: spec.EnhanceStrength, () =>
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

    /// <summary>The encoders of one engine: its settings, and what counts as large.</summary>
    internal sealed class Encoders(ImagingOptions options)
    {
        public int Parallelism => options.EncodeParallelism;

        /// <summary>Encodes of images this large share the process-wide encode budget and use <see cref="ImagingOptions.LargeWebpEffort"/>.</summary>
        public bool IsLarge(PixelImage image) => (long)image.Width * image.Height >= options.LargeEncodePixels;

        /// <summary>Peak encoder memory a pixel (see <see cref="ImagingOptions.LargeEncodeBudgetBytes"/>).</summary>
        public static int BytesPerPixel(OutputFormat format) => format switch
        {
            OutputFormat.Jpeg => 3,
            OutputFormat.WebP => 2,
            _ => 18,
        };

        /// <summary>Encodes one variant; <paramref name="pixelsRead"/>, if any, runs once the encoder no longer reads <paramref name="image"/>.</summary>
        public EncodedVariant Encode(PixelImage image, ImagePreset preset, OutputFormat format, JobScope job, Action? pixelsRead = null)
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
            var effort = IsLarge(input) ? options.LargeWebpEffort ?? options.WebpEffort : options.WebpEffort;
            var data = WebpEncoder.Encode(input, options.WebpQuality, effort, job.Token, fitted is null ? pixelsRead : null);
            return new EncodedVariant(preset.Name, OutputFormat.WebP, width, height, data);
        }

        /// <summary>JPEG and AVIF through libvips' savers (WebP goes through <see cref="WebpEncoder"/>).</summary>
        private byte[] Save(Image input, ImagePreset preset, OutputFormat format)
        {
            var saveOptions = format == OutputFormat.Jpeg
                ? new VOption { { "Q", options.JpegQuality }, { "optimize_coding", true }, { "interlace", true } }
                : new VOption { { "Q", options.AvifQuality }, { "compression", Enums.ForeignHeifCompression.Av1 }, { "effort", options.AvifEffort } };
            saveOptions.Add("strip", true);
            try
            {
                return input.Save(FormatNames.Of(format).VipsOperation, saveOptions);
            }
            catch (VipsException e)
            {
                throw new ImageProcessingException($"Encoding {preset.Name} as {FormatNames.Of(format).Name} failed: {VipsErrors.Detail(e)}", e);
            }
        }
    }

    internal static Image Resize(Image source, ImagePreset preset) =>
        source.ThumbnailImage(preset.Width, height: preset.Height, size: Enums.Size.Down, noRotate: true,
            crop: preset.Fit == PresetFit.Cover ? Enums.Interesting.Attention : null);

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

    private ImageFormat Sniff(ReadOnlySpan<byte> data) => VariantPlan.Sniff(data, CanDecode, $"libvips {LibVipsVersion.ToString(2)}");

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
