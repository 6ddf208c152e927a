using NetVips;

namespace Stox.Imaging.Vips;

/// <summary>
/// One set of variants (the plain set, or the enhanced one) made from one full image, in steps that run in this
/// order (<see cref="Run"/>):
/// <list type="number">
/// <item><see cref="StartOriginals"/>: the full-size encodes start at once, each on a thread of its own.</item>
/// <item><see cref="MakeSizes"/>: each size from the smallest larger one already made, its encodes scheduled as it
/// is made.</item>
/// <item><see cref="EncodeSmall"/>: the small encodes, in parallel with what parallelism the large ones leave.</item>
/// <item><see cref="PlaceholderSource"/>: a copy of the smallest uncropped size, for the BlurHash.</item>
/// <item><see cref="FinishLarge"/>: this thread lets go of the full image and waits for the large encodes.</item>
/// <item><see cref="VariantPlan.Deduplicate"/>: equal-sized twins share bytes.</item>
/// </list>
/// Encodes of large images (<see cref="ImagingOptions.LargeEncodePixels"/>) run under the process-wide encoder
/// budget (<see cref="LargeEncodes"/>); the full image's readers are counted (<see cref="Readers"/>) so that the
/// caller's release runs as soon as the last of them is done, often long before the set is.
/// </summary>
internal sealed class SetRender : IDisposable
{
    private readonly VipsImageEngine.Encoders _encoders;
    private readonly PixelImage _full;
    private readonly IReadOnlyList<ImagePreset> _presets;
    private readonly OutputFormat[] _formats;
    private readonly double? _enhance;
    private readonly JobScope _job;
    private readonly EncodedVariant[] _encoded;
    private readonly List<(ImagePreset Preset, PixelImage Image, OutputFormat Format, int Slot)> _smallEncodes = [];
    private readonly LargeEncodes _large;
    private readonly Readers _fullReaders;
    private readonly List<(ImagePreset Preset, PixelImage Image)> _made = [];
    private readonly List<PixelImage> _owned = [];

    private SetRender(VipsImageEngine.Encoders encoders, MemoryBudget largeEncodeBudget, PixelImage full,
        IReadOnlyList<ImagePreset> presets, OutputFormat[] formats, double? enhance, Action? fullNoLongerRead, JobScope job)
    {
        (_encoders, _full, _presets, _formats, _enhance, _job) = (encoders, full, presets, formats, enhance, job);
        _encoded = new EncodedVariant[presets.Count * formats.Length];
        _large = new LargeEncodes(largeEncodeBudget, job.Token);
        _fullReaders = new Readers(fullNoLongerRead); // this thread is the first reader
    }

    /// <summary>
    /// Makes and encodes the set. <paramref name="fullNoLongerRead"/> runs once nothing will read
    /// <paramref name="full"/> again (maybe on an encoder's thread; the set no longer touches the image then).
    /// <paramref name="smallest"/> is a copy of the smallest uncropped image, for the placeholder.
    /// </summary>
    public static List<EncodedVariant> Run(VipsImageEngine.Encoders encoders, MemoryBudget largeEncodeBudget, PixelImage full,
        IReadOnlyList<ImagePreset> presets, OutputFormat[] formats, double? enhance, Action? fullNoLongerRead, JobScope job,
        out Image? smallest)
    {
        using var set = new SetRender(encoders, largeEncodeBudget, full, presets, formats, enhance, fullNoLongerRead, job);
        var steps = VariantPlan.Ordered(presets, full.Width, full.Height);
        set.StartOriginals(steps);
        set.MakeSizes(steps);
        set.EncodeSmall();
        var placeholderSource = set.PlaceholderSource();
        try
        {
            set.FinishLarge();
        }
        catch
        {
            placeholderSource.Dispose();
            throw;
        }

        smallest = placeholderSource;
        return VariantPlan.Deduplicate(set._encoded);
    }

    private void StartOriginals(List<VariantPlan.Step> steps)
    {
        foreach (var step in steps.Where(s => s.Preset.Fit == PresetFit.Original))
        {
            Schedule(step, _full);
        }
    }

    private void MakeSizes(List<VariantPlan.Step> steps)
    {
        var sources = new List<(PixelImage Image, double Scale)> { (_full, 1.0) };
        foreach (var step in steps.Where(s => s.Preset.Fit != PresetFit.Original))
        {
            _job.Token.ThrowIfCancellationRequested();
            var source = sources.Where(s => s.Scale >= step.Scale).MinBy(s => s.Scale).Image;
            var ready = Resized(source, step.Preset);
            _owned.Add(ready);
            if (step.Preset.Fit == PresetFit.Inside)
            {
                sources.Add((ready, Math.Min((double)ready.Width / _full.Width, (double)ready.Height / _full.Height)));
            }

            Schedule(step, ready);
        }
    }

    private PixelImage Resized(PixelImage source, ImagePreset preset)
    {
        using var resized = VipsImageEngine.Resize(source.Image, preset);
        if (_enhance is not { } strength)
        {
            return PixelImage.Render(resized);
        }

        using var sharpened = Enhancer.Sharpen(resized, strength);
        return PixelImage.Render(sharpened);
    }

    /// <summary>Queues the encodes of one image: a large one starts now on a thread of its own, a small one waits for <see cref="EncodeSmall"/>.</summary>
    private void Schedule(VariantPlan.Step step, PixelImage image)
    {
        _made.Add((step.Preset, image));
        for (var f = 0; f < _formats.Length; f++)
        {
            var (format, slot) = (_formats[f], (step.Index * _formats.Length) + f);
            if (!_encoders.IsLarge(image))
            {
                _smallEncodes.Add((step.Preset, image, format, slot));
                continue;
            }

            var release = ReferenceEquals(image, _full) ? _fullReaders.Add() : null;
            var encoderBytes = (long)image.Width * image.Height * VipsImageEngine.Encoders.BytesPerPixel(format);
            _large.Start(encoderBytes, pixelsRead => _encoded[slot] = _encoders.Encode(image, step.Preset, format, _job, pixelsRead), release);
        }
    }

    private void EncodeSmall()
    {
        var parallelism = Math.Max(1, _encoders.Parallelism - (_large.Any ? 1 : 0));
        Parallel.ForEach(_smallEncodes,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = _job.Token },
            e => _encoded[e.Slot] = _encoders.Encode(e.Image, e.Preset, e.Format, _job));
    }

    /// <summary>The placeholder comes from the smallest uncropped variant, so it has the image's aspect ratio.</summary>
    private Image PlaceholderSource()
    {
        var smallest = _full;
        foreach (var (preset, image) in _made)
        {
            if (preset.Fit != PresetFit.Cover && (long)image.Width * image.Height < (long)smallest.Width * smallest.Height)
            {
                smallest = image;
            }
        }

        return smallest.Image.Copy();
    }

    private void FinishLarge()
    {
        _fullReaders.Done(); // this thread is done with the full image
        _large.WaitAll(); // a cancelled job's encodes are killed through the job scope
    }

    /// <summary>The large encodes read the sizes (and the caller's full image): they end before either goes.</summary>
    public void Dispose()
    {
        _large.Drain();
        foreach (var image in _owned)
        {
            image.Dispose();
        }
    }

    /// <summary>Counts the readers of an image and runs an action once the last is done.</summary>
    private sealed class Readers(Action? whenNone)
    {
        private int _count = 1;

        /// <summary>Adds a reader; the action it returns marks it done (once, however often it is called).</summary>
        public Action Add()
        {
            Interlocked.Increment(ref _count);
            var done = 0;
            return () =>
            {
                if (Interlocked.Exchange(ref done, 1) == 0)
                {
                    Done();
                }
            };
        }

        public void Done()
        {
            if (Interlocked.Decrement(ref _count) == 0)
            {
                whenNone?.Invoke();
            }
        }
    }

    /// <summary>Encodes of large images, each on a thread of its own under a lease of the process-wide encoder budget.</summary>
    private sealed class LargeEncodes(MemoryBudget budget, CancellationToken token)
    {
        private readonly List<Task> _tasks = [];

        public bool Any => _tasks.Count > 0;

        /// <param name="encode">Runs with a callback to call once the encoder no longer reads its image.</param>
        /// <param name="pixelsRead">That callback (null: nobody waits for it); it runs at the end in any case.</param>
        public void Start(long encoderBytes, Action<Action?> encode, Action? pixelsRead)
        {
            // A thread of its own (LongRunning), not a pool thread: it blocks for the budget and then for hundreds
            // of milliseconds in the encoder, and a starved pool adds threads only every half second.
            _tasks.Add(Task.Factory.StartNew(() =>
            {
                try
                {
                    using var lease = budget.Acquire(encoderBytes, token);
                    encode(pixelsRead);
                }
                finally
                {
                    pixelsRead?.Invoke();
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        public void WaitAll() => Task.WaitAll(_tasks);

        /// <summary>Waits for every encode, whatever its outcome (already reported by <see cref="WaitAll"/>, or the job fails anyway).</summary>
        public void Drain()
        {
            try
            {
                Task.WaitAll(_tasks);
            }
            catch (AggregateException)
            {
            }
        }
    }
}
