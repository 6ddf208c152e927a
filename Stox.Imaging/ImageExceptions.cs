namespace Stox.Imaging;

/// <summary>Why an input was refused. Stable: the processing service maps these to permanent failures.</summary>
public enum ImageRejectionReason
{
    Empty,
    UnsupportedFormat,
    TooManyPixels,
    TooLarge,
    Truncated,
    Corrupt,
}

/// <summary>The input is not an image the engine will process; retrying will not help.</summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException(ImageRejectionReason reason, string message, string? detectedType = null, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        DetectedType = detectedType;
    }

    public ImageRejectionReason Reason { get; }

    /// <summary>What the bytes look like, e.g. "PDF", "SVG", "JPEG"; null when unknown.</summary>
    public string? DetectedType { get; }

    internal static ImageRejectedException Truncated(ImageFormat format, string detail, Exception? inner = null) =>
        new(ImageRejectionReason.Truncated, $"The {FormatNames.Of(format).Name} file is truncated (incomplete upload?): {detail}",
            FormatNames.Of(format).Name, inner);

    internal static ImageRejectedException Corrupt(ImageFormat format, string detail, Exception? inner = null) =>
        new(ImageRejectionReason.Corrupt, $"The {FormatNames.Of(format).Name} file is damaged and cannot be decoded: {detail}",
            FormatNames.Of(format).Name, inner);
}

/// <summary>libvips failed on an accepted input (out of memory, an encoder error, ...); may be retried.</summary>
public sealed class ImageProcessingException : Exception
{
    public ImageProcessingException(string message)
        : base(message)
    {
    }

    public ImageProcessingException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}

/// <summary>What either engine's callers see when a job fails: only the documented exception types.</summary>
internal static class ImageJobFailure
{
    public static Exception Translate(Exception e, CancellationTokenSource deadline, CancellationToken callerToken, TimeSpan timeout, Func<Exception, string>? detail = null)
    {
        var inner = e is AggregateException { InnerExceptions.Count: > 0 } a ? a.InnerExceptions[0] : e;
        if (inner is ImageRejectedException)
        {
            return inner;
        }

        if (deadline.IsCancellationRequested)
        {
            return callerToken.IsCancellationRequested
                ? new OperationCanceledException("The image job was cancelled.", inner, callerToken)
                : new TimeoutException($"The image job did not finish within {timeout.TotalSeconds:0.#} s.", inner);
        }

        return inner is ImageProcessingException or ArgumentException
            ? inner
            : new ImageProcessingException("Image processing failed: " + (detail?.Invoke(inner) ?? inner.Message), inner);
    }
}
