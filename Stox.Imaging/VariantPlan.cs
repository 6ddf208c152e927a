namespace Stox.Imaging;

/// <summary>
/// What both engines decide the same way before and after the pixels: input checks (size, format, pixel limit),
/// the order presets are made in, shrink-on-load, the output formats of a spec, and twins that share bytes.
/// </summary>
internal static class VariantPlan
{
    /// <summary>One preset to make: its index in the spec and its scale against the full (oriented) image.</summary>
    public readonly record struct Step(ImagePreset Preset, int Index, double Scale);

    /// <summary>
    /// Largest first (so each size is made from the previous one rather than from the full image), an uncropped
    /// size before a crop of the same scale.
    /// </summary>
    public static List<Step> Ordered(IReadOnlyList<ImagePreset> presets, int width, int height) =>
        [.. presets
            .Select((p, i) => new Step(p, i, TargetScale(p, width, height)))
            .OrderByDescending(x => x.Scale)
            .ThenBy(x => x.Preset.Fit == PresetFit.Cover ? 1 : 0)];

    public static double TargetScale(ImagePreset preset, int w, int h) => preset.Fit switch
    {
        PresetFit.Original => 1.0,
        PresetFit.Inside => Math.Min(1.0, Math.Min((double)preset.Width / w, (double)preset.Height / h)),
        _ => Math.Min(1.0, Math.Max((double)preset.Width / w, (double)preset.Height / h)),
    };

    /// <summary>Shrink-on-load: the largest power of two (up to 8) that still leaves every preset at least its size.</summary>
    public static int ShrinkOnLoad(ImageInfo info, IReadOnlyList<ImagePreset> presets)
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

    public static OutputFormat[] Formats(OutputFormats formats) =>
        [.. new[] { OutputFormat.Jpeg, OutputFormat.WebP, OutputFormat.Avif }.Where(f => formats.HasFlag((OutputFormats)(1 << (int)f)))];

    /// <summary>The presets of a spec; throws when it asks for nothing.</summary>
    public static IReadOnlyList<ImagePreset> Presets(ImageJobSpec spec, ImagingOptions options)
    {
        var presets = spec.Presets ?? options.Presets.ToArray();
        return presets.Count == 0 || spec.Formats == OutputFormats.None
            ? throw new ArgumentException("The job spec asks for no presets or no formats.", nameof(spec))
            : presets;
    }

    public static void CheckInputSize(long bytes, ImagingOptions options)
    {
        if (bytes > options.MaxInputBytes)
        {
            throw new ImageRejectedException(ImageRejectionReason.TooLarge,
                $"The file is larger than the {options.MaxInputBytes / (1024 * 1024)} MB limit.");
        }
    }

    /// <summary>Refuses a header whose pixels (all frames) exceed the limit: checked before any pixel is decoded.</summary>
    public static void CheckPixels(ImageInfo info, long limit)
    {
        var pixels = (long)info.Width * info.Height * info.Pages;
        if (pixels > limit)
        {
            throw new ImageRejectedException(ImageRejectionReason.TooManyPixels,
                $"The image is too large: {info.Width}x{info.Height}" + (info.Pages > 1 ? $" x {info.Pages} frames" : string.Empty)
                + $" is {pixels / 1e6:0.#} MP, over the {limit / 1e6:0.#} MP limit.");
        }
    }

    /// <summary>The real format from the first bytes, refused when it is no image or one <paramref name="canDecode"/> refuses.</summary>
    public static ImageFormat Sniff(ReadOnlySpan<byte> data, Func<ImageFormat, bool> canDecode, string decoderName)
    {
        if (data.IsEmpty)
        {
            throw new ImageRejectedException(ImageRejectionReason.Empty, "The file is empty.", "empty");
        }

        var supported = FormatNames.List(FormatNames.Accepted.Where(canDecode));
        var format = FormatSniffer.Sniff(data, out var detected)
            ?? throw new ImageRejectedException(ImageRejectionReason.UnsupportedFormat,
                $"The file is not a supported image (detected: {detected}). Supported: {supported}.", detected);
        return canDecode(format)
            ? format
            : throw new ImageRejectedException(ImageRejectionReason.UnsupportedFormat,
                $"{FormatNames.Of(format).Name} images cannot be decoded here: this server's {decoderName} has no decoder for them. Supported: {supported}.",
                detected);
    }

    /// <summary>A smaller variant that comes out with the same size as a larger one reuses its bytes.</summary>
    public static List<EncodedVariant> Deduplicate(IEnumerable<EncodedVariant> variants)
    {
        // The first of each (format, size) in preset order wins; later twins reuse its bytes.
        var list = variants.ToList();
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

        return list;
    }
}
