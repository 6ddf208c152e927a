using System.Buffers;
using System.Diagnostics;
using SkiaSharp;

namespace Stox.Imaging.Skia;

/// <summary>
/// The SkiaSharp backend (<c>Processing:Imaging:Engine=skia</c>). It decodes JPEG, PNG, WebP and GIF and encodes
/// JPEG and WebP; every other job goes to the libvips engine by <see cref="HandsOver"/>, the one rule of it.
/// One job: sniff, read the header, refuse bombs, decode once into sRGB (Skia converts embedded ICC profiles with
/// skcms), apply the EXIF orientation, make each size from the smallest larger one (halvings, then one Mitchell
/// step), crop the thumbnail on its salient part, and encode every (preset, format) pair in parallel with no
/// metadata. The enhanced set runs the shared <see cref="Enhancer"/> (libvips) on Skia's decoded pixels.
/// </summary>
public sealed class SkiaImageEngine : IImageEngine
{
    private const int WebpMaxDimension = 16383;
    private readonly ImagingOptions _options;
    private readonly IImageEngine _vips;
    private readonly MemoryBudget _decodes;
    private readonly MemoryBudget _largeEncodes;

    /// <param name="vips">What takes the jobs Skia cannot do (<see cref="HandsOver"/>); null: a new <see cref="VipsImageEngine"/>.</param>
    public SkiaImageEngine(ImagingOptions? options = null, IImageEngine? vips = null)
    {
        _options = options ?? new ImagingOptions();
        _vips = vips ?? new VipsImageEngine(_options);
        _decodes = new MemoryBudget(Math.Max(1, _options.DecodeBudgetBytes));
        _largeEncodes = new MemoryBudget(Math.Max(1, _options.LargeEncodeBudgetBytes));
    }

    /// <summary>The formats Skia's codecs decode here (its NoDependencies build): no HEIC, AVIF or TIFF.</summary>
    public static bool Decodes(ImageFormat format) => format is ImageFormat.Jpeg or ImageFormat.Png or ImageFormat.WebP or ImageFormat.Gif;

    /// <summary>The outputs Skia encodes: JPEG (baseline only) and WebP; no AVIF.</summary>
    public static bool Encodes(OutputFormats formats) => (formats & ~(OutputFormats.Jpeg | OutputFormats.WebP)) == 0;

    /// <summary>
    /// The one rule of this engine: a job goes to libvips when Skia cannot decode its input (HEIC, AVIF, TIFF, or a
    /// file that is no image at all: libvips' engine refuses it with the same messages), cannot encode one of its
    /// outputs (AVIF), or would get its colours wrong: a CMYK JPEG without an ICC profile, which Skia inverts
    /// naively where libvips converts it through its built-in CMYK profile. Everything else is Skia's, start to finish.
    /// </summary>
    public static bool HandsOver(ReadOnlySpan<byte> input, OutputFormats outputs) =>
        FormatSniffer.Sniff(input, out _) is not { } format
        || !Decodes(format)
        || !Encodes(outputs)
        || (format == ImageFormat.Jpeg && HeaderFacts.Of(format, input) is { Components: 4, HasIccProfile: false });

    public bool CanDecode(ImageFormat format) => Decodes(format) || _vips.CanDecode(format);

    public ImageInfo Probe(ReadOnlyMemory<byte> input)
    {
        if (HandsOver(input.Span, OutputFormats.Default))
        {
            return _vips.Probe(input);
        }

        var format = FormatSniffer.Sniff(input.Span, out _)!.Value;
        using var codec = OpenCodec(input, format, out var handle);
        using (handle)
        {
            return Describe(codec, format, input);
        }
    }

    public async Task<ImageProcessingResult> ProcessAsync(Stream input, ImageJobSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(chunk, cancellationToken)) > 0)
        {
            VariantPlan.CheckInputSize(buffer.Length + read, _options);
            buffer.Write(chunk, 0, read);
        }

        return await ProcessAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), spec, cancellationToken);
    }

    public Task<ImageProcessingResult> ProcessAsync(ReadOnlyMemory<byte> input, ImageJobSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        cancellationToken.ThrowIfCancellationRequested();
        return HandsOver(input.Span, spec.Formats)
            ? _vips.ProcessAsync(input, spec, cancellationToken)
            : Task.Run(() => Process(input, FormatSniffer.Sniff(input.Span, out _)!.Value, spec, cancellationToken), cancellationToken);
    }

    private ImageProcessingResult Process(ReadOnlyMemory<byte> input, ImageFormat format, ImageJobSpec spec, CancellationToken callerToken)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = spec.Timeout ?? _options.DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        deadline.CancelAfter(timeout);
        try
        {
            var result = new SkiaJob(this, input, format, spec, deadline.Token).Run();
            return result with { Elapsed = Stopwatch.GetElapsedTime(started) };
        }
        catch (Exception e)
        {
            throw ImageJobFailure.Translate(e, deadline, callerToken, timeout);
        }
    }

    private static SKCodec OpenCodec(ReadOnlyMemory<byte> input, ImageFormat format, out MemoryHandle handle)
    {
        var data = SkiaPixels.Wrap(input, out handle);
        var codec = SKCodec.Create(data);
        data.Dispose(); // the codec holds its own reference
        if (codec is null)
        {
            handle.Dispose();
            throw Reject(format, "the header cannot be read", input.Span, SKCodecResult.InvalidInput);
        }

        return codec;
    }

    private static ImageInfo Describe(SKCodec codec, ImageFormat format, ReadOnlyMemory<byte> input)
    {
        var info = codec.Info;
        var facts = HeaderFacts.Of(format, input.Span);
        var colourSpace = info.ColorType switch
        {
            SKColorType.Gray8 => "b-w",
            _ when facts.Components == 4 => "cmyk",
            SKColorType.Rgba16161616 or SKColorType.RgbaF16 or SKColorType.RgbaF32 => "rgb16",
            _ => "srgb",
        };
        return new ImageInfo(format, info.Width, info.Height, Math.Max(1, codec.FrameCount), input.Length,
            info.AlphaType != SKAlphaType.Opaque, Math.Clamp((int)codec.EncodedOrigin, 1, 8), facts.HasIccProfile, colourSpace);
    }

    private static ImageRejectedException Reject(ImageFormat format, string detail, ReadOnlySpan<byte> input, SKCodecResult result) =>
        result == SKCodecResult.IncompleteInput || FormatSniffer.LooksTruncated(format, input)
            ? ImageRejectedException.Truncated(format, detail, null)
            : ImageRejectedException.Corrupt(format, detail, null);

    /// <summary>One job, in the order its steps run (<see cref="Run"/>).</summary>
    private sealed class SkiaJob(SkiaImageEngine engine, ReadOnlyMemory<byte> input, ImageFormat format, ImageJobSpec spec, CancellationToken token)
    {
        private readonly ImagingOptions _options = engine._options;

        public ImageProcessingResult Run()
        {
            var presets = VariantPlan.Presets(spec, _options);
            var formats = VariantPlan.Formats(spec.Formats);
            using var codec = OpenCodec(input, format, out var handle);
            using (handle)
            {
                // 1. Header: nothing is decoded until the pixel limit has been checked.
                var info = Describe(codec, format, input);
                VariantPlan.CheckPixels(info, spec.MaxPixels ?? _options.MaxPixels);
                var size = DecodeSize(codec, info, presets);

                // 2. Admission: the decoded image (a rotated copy beside it while it is made; twice for an enhanced job).
                var one = (long)size.Width * size.Height * 4;
                token.ThrowIfCancellationRequested();
                using var admission = engine._decodes.Acquire((spec.Enhance ? 2 * one : one) + (info.Orientation > 1 ? one : 0), token);

                // 3. Decode to sRGB, 4. orient.
                using var full = Orient(Decode(codec, info, size), codec.EncodedOrigin);
                admission.ReduceTo(spec.Enhance ? 2 * one : one);

                // 5. The set, 6. the placeholder from its smallest uncropped size.
                var variants = RenderSet(full, presets, formats, enhance: null, out var smallest);
                string? placeholder = null, dominant = null;
                using (smallest)
                {
                    if (spec.Placeholder)
                    {
                        (placeholder, dominant) = Placeholder(smallest);
                    }
                }

                // 7. The enhanced set: libvips' enhancement on these pixels, then the same steps.
                IReadOnlyList<EncodedVariant> enhanced = [];
                if (spec.Enhance)
                {
                    token.ThrowIfCancellationRequested();
                    using var better = Enhance(full, spec.EnhanceStrength, spec.EnhanceDenoise);
                    enhanced = RenderSet(better, presets, formats, enhance: spec.EnhanceStrength, out var smallestEnhanced);
                    smallestEnhanced.Dispose();
                }

                return new ImageProcessingResult(info, variants, enhanced, placeholder, dominant, TimeSpan.Zero);
            }
        }

        /// <summary>JPEG shrink-on-load (libjpeg-turbo's 1/2, 1/4, 1/8 scaled decode) when no preset needs the full size.</summary>
        private static SKSizeI DecodeSize(SKCodec codec, ImageInfo info, IReadOnlyList<ImagePreset> presets)
        {
            var full = new SKSizeI(info.Width, info.Height);
            if (info.Format != ImageFormat.Jpeg)
            {
                return full;
            }

            var shrink = VariantPlan.ShrinkOnLoad(info, presets);
            if (shrink == 1)
            {
                return full;
            }

            var scaled = codec.GetScaledDimensions(1f / shrink);
            // Every preset must still fit: Skia rounds up, libvips' shrink too, so this only guards odd codecs.
            return scaled.Width >= info.Width / shrink && scaled.Height >= info.Height / shrink ? scaled : full;
        }

        private SKBitmap Decode(SKCodec codec, ImageInfo info, SKSizeI size)
        {
            var bitmap = new SKBitmap(SkiaPixels.Rgba(size.Width, size.Height, info.HasAlpha));
            try
            {
                // The first frame of an animation; an embedded profile is converted to the target's sRGB by skcms.
                var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels(), bitmap.RowBytes, new SKCodecOptions(0));
                // Skia reports a truncated baseline JPEG or PNG (IncompleteInput) but fills a truncated progressive
                // JPEG's missing scans with what it has: the file's own end decides too.
                if (result != SKCodecResult.Success || FormatSniffer.LooksTruncated(format, input.Span))
                {
                    throw Reject(format, result == SKCodecResult.Success ? "the file ends early" : Explain(result), input.Span, result);
                }

                if (format == ImageFormat.Jpeg && HeaderFacts.JpegLooksDamaged(input.Span))
                {
                    throw ImageRejectedException.Corrupt(format, "its compressed data is damaged (a marker where none can be)");
                }

                return bitmap;
            }
            catch
            {
                bitmap.Dispose();
                throw;
            }
        }

        private static string Explain(SKCodecResult result) => result switch
        {
            SKCodecResult.IncompleteInput => "the file ends early",
            SKCodecResult.ErrorInInput => "the data is damaged",
            _ => "it cannot be decoded (" + result + ")",
        };

        private static SKBitmap Orient(SKBitmap decoded, SKEncodedOrigin origin)
        {
            if ((int)origin is <= 1 or > 8)
            {
                return decoded;
            }

            using (decoded)
            {
                return SkiaPixels.Orient(decoded, origin);
            }
        }

        private static SKBitmap Enhance(SKBitmap full, double strength, bool denoise)
        {
            using var vips = SkiaPixels.ToVips(full);
            using var better = Enhancer.Apply(vips, strength, denoise);
            return SkiaPixels.FromVips(better);
        }

        /// <summary>
        /// The sizes largest first, each from the smallest larger one already made; then every encode in parallel,
        /// those of large images (<see cref="ImagingOptions.LargeEncodePixels"/>) under the process-wide encoder budget.
        /// <paramref name="smallest"/> is the smallest uncropped image (the caller disposes it).
        /// </summary>
        private List<EncodedVariant> RenderSet(SKBitmap full, IReadOnlyList<ImagePreset> presets, OutputFormat[] formats,
            double? enhance, out SKBitmap smallest)
        {
            var made = new List<(VariantPlan.Step Step, SKBitmap Image)>();
            var owned = new List<SKBitmap>();
            try
            {
                var sources = new List<(SKBitmap Image, double Scale)> { (full, 1.0) };
                foreach (var step in VariantPlan.Ordered(presets, full.Width, full.Height))
                {
                    token.ThrowIfCancellationRequested();
                    if (step.Preset.Fit == PresetFit.Original)
                    {
                        made.Add((step, full));
                        continue;
                    }

                    var source = sources.Where(s => s.Scale >= step.Scale).MinBy(s => s.Scale).Image;
                    var image = Resize(source, full, step);
                    if (enhance is { } strength)
                    {
                        using var vips = SkiaPixels.ToVips(image);
                        using var sharpened = Enhancer.Sharpen(vips, strength);
                        image.Dispose();
                        image = SkiaPixels.FromVips(sharpened);
                    }

                    owned.Add(image);
                    made.Add((step, image));
                    if (step.Preset.Fit == PresetFit.Inside)
                    {
                        sources.Add((image, Math.Min((double)image.Width / full.Width, (double)image.Height / full.Height)));
                    }
                }

                var encoded = new EncodedVariant[presets.Count * formats.Length];
                var work = made.SelectMany(m => formats.Select((f, i) => (m.Step, m.Image, Format: f, Slot: (m.Step.Index * formats.Length) + i)))
                    .OrderByDescending(e => (long)e.Image.Width * e.Image.Height) // the longest first
                    .ToList();
                Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.EncodeParallelism), CancellationToken = token },
                    e => encoded[e.Slot] = Encode(e.Image, e.Step.Preset, e.Format));

                var placeholderSource = made.Where(m => m.Step.Preset.Fit != PresetFit.Cover)
                    .Select(m => m.Image).Append(full).MinBy(i => (long)i.Width * i.Height)!;
                smallest = SkiaPixels.Downscale(placeholderSource,
                    Math.Max(1, (int)Math.Round(placeholderSource.Width * Math.Min(1.0, (double)Placeholders.SampleSize / Math.Max(placeholderSource.Width, placeholderSource.Height)))),
                    Math.Max(1, (int)Math.Round(placeholderSource.Height * Math.Min(1.0, (double)Placeholders.SampleSize / Math.Max(placeholderSource.Width, placeholderSource.Height)))));
                return VariantPlan.Deduplicate(encoded);
            }
            finally
            {
                foreach (var image in owned)
                {
                    image.Dispose();
                }
            }
        }

        /// <summary>Inside: fitted into the box; cover: scaled to cover it, then the salient part cropped to it. Never upscaled.</summary>
        private static SKBitmap Resize(SKBitmap source, SKBitmap full, VariantPlan.Step step)
        {
            var (w, h) = (Math.Max(1, (int)Math.Round(full.Width * step.Scale)), Math.Max(1, (int)Math.Round(full.Height * step.Scale)));
            if (step.Preset.Fit == PresetFit.Inside)
            {
                // Exactly the box on the side that decides (as libvips: 1920 wide, never 1919).
                if ((double)step.Preset.Width / full.Width <= (double)step.Preset.Height / full.Height && step.Scale < 1)
                {
                    w = step.Preset.Width;
                }
                else if (step.Scale < 1)
                {
                    h = step.Preset.Height;
                }
            }
            else
            {
                (w, h) = (Math.Max(w, Math.Min(step.Preset.Width, full.Width)), Math.Max(h, Math.Min(step.Preset.Height, full.Height)));
            }

            var scaled = w == source.Width && h == source.Height ? SkiaPixels.Copy(source, new SKRectI(0, 0, w, h)) : SkiaPixels.Downscale(source, w, h);
            if (step.Preset.Fit != PresetFit.Cover || (scaled.Width <= step.Preset.Width && scaled.Height <= step.Preset.Height))
            {
                return scaled;
            }

            using (scaled)
            {
                return SkiaPixels.Copy(scaled, SkiaPixels.SalientCrop(scaled, step.Preset.Width, step.Preset.Height));
            }
        }

        private EncodedVariant Encode(SKBitmap image, ImagePreset preset, OutputFormat format)
        {
            token.ThrowIfCancellationRequested();
            using var fitted = format == OutputFormat.WebP && (image.Width > WebpMaxDimension || image.Height > WebpMaxDimension)
                ? FitInside(image, WebpMaxDimension)
                : null;
            using var flattened = format == OutputFormat.Jpeg && image.AlphaType != SKAlphaType.Opaque ? SkiaPixels.FlattenOnWhite(image) : null;
            var input = fitted ?? flattened ?? image;
            var large = (long)input.Width * input.Height >= _options.LargeEncodePixels;
            using var lease = large ? engine._largeEncodes.Acquire((long)input.Width * input.Height * (format == OutputFormat.Jpeg ? 3 : 2), token) : null;

            // No colour space on the pixmap: Skia's encoders then write no ICC profile (untagged sRGB, as browsers
            // assume), and they write no EXIF or XMP of their own.
            using var pixels = input.PeekPixels();
            using var untagged = pixels.WithColorSpace(null!);
            using var data = format == OutputFormat.Jpeg
                ? untagged.Encode(new SKJpegEncoderOptions(_options.JpegQuality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore))
                : untagged.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, _options.WebpQuality));
            return data is null
                ? throw new ImageProcessingException($"Encoding {preset.Name} as {FormatNames.Of(format).Name} failed.")
                : new EncodedVariant(preset.Name, format, input.Width, input.Height, data.ToArray());
        }

        private static SKBitmap FitInside(SKBitmap image, int box)
        {
            var scale = Math.Min((double)box / image.Width, (double)box / image.Height);
            return SkiaPixels.Downscale(image, Math.Max(1, Math.Min(box, (int)Math.Round(image.Width * scale))),
                Math.Max(1, Math.Min(box, (int)Math.Round(image.Height * scale))));
        }

        private static (string, string) Placeholder(SKBitmap small)
        {
            using var flat = small.AlphaType == SKAlphaType.Opaque ? null : SkiaPixels.FlattenOnWhite(small);
            var image = flat ?? small;
            var pixels = SkiaPixels.Packed(image, out var bands);
            return Placeholders.FromPixels(pixels, image.Width, image.Height, bands);
        }
    }
}
