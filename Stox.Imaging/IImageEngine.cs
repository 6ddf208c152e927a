namespace Stox.Imaging;

/// <summary>
/// The imaging backend behind Stox.Processing. Thread-safe: call it concurrently from a bounded worker.
/// Errors: <see cref="ImageRejectedException"/> (permanent, with a stable reason),
/// <see cref="ImageProcessingException"/> (engine failure), <see cref="OperationCanceledException"/>
/// when the caller cancels, <see cref="TimeoutException"/> when the job's deadline passes.
/// </summary>
public interface IImageEngine
{
    /// <summary>
    /// True when this engine decodes <paramref name="format"/>. A format it cannot decode is refused
    /// (<see cref="ImageRejectionReason.UnsupportedFormat"/>) by <see cref="Probe"/> and by every job.
    /// </summary>
    bool CanDecode(ImageFormat format);

    /// <summary>Reads the header only: format, size, frames. Throws <see cref="ImageRejectedException"/> for bad input.</summary>
    ImageInfo Probe(ReadOnlyMemory<byte> input);

    /// <summary>Decodes once and produces every variant of the spec.</summary>
    Task<ImageProcessingResult> ProcessAsync(ReadOnlyMemory<byte> input, ImageJobSpec spec, CancellationToken cancellationToken = default);

    /// <summary>As above, reading the stream to its end first (bounded by <see cref="ImagingOptions.MaxInputBytes"/>).</summary>
    Task<ImageProcessingResult> ProcessAsync(Stream input, ImageJobSpec spec, CancellationToken cancellationToken = default);
}
