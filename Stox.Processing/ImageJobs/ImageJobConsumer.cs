using System.Diagnostics;
using Amazon.Runtime;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Stox.Imaging;
using Stox.Messaging.Contracts;
using Stox.Messaging.RabbitMQ;
using Stox.Processing.Storage;

namespace Stox.Processing.ImageJobs;

/// <summary>
/// Takes image jobs from <see cref="ImageTopology.Queues.ProcessingJobs"/>: downloads the original, runs the
/// imaging engine, stores every variant under its deterministic key, reports progress and the outcome on
/// <see cref="ImageTopology.Exchange"/>, and only then acknowledges. A bad input fails at once; anything else
/// is retried with back-off and reported as failed when no retry is left.
/// </summary>
public sealed partial class ImageJobConsumer : MessageConsumer<ImageJobRequestedV1>
{
    private readonly MessagePublisher _publisher;
    private readonly IImageEngine _engine;
    private readonly ImagingOptions _imaging;
    private readonly ImageStore _store;
    private readonly ProcessingOptions _options;
    private readonly WorkerIdentity _worker;
    private readonly ProcessingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ImageJobConsumer(
        IConnection connection,
        MessagePublisher publisher,
        IImageEngine engine,
        ImagingOptions imaging,
        ImageStore store,
        IOptions<ProcessingOptions> options,
        WorkerIdentity worker,
        ProcessingMetrics metrics,
        TimeProvider time,
        ILogger<ImageJobConsumer> logger)
        : base(connection, publisher, logger)
    {
        _publisher = publisher;
        _engine = engine;
        _imaging = imaging;
        _store = store;
        _options = options.Value;
        _worker = worker;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        Queue = _options.Queue;
    }

    protected override QueueDefinition Queue { get; }

    protected override ushort Prefetch => _options.Prefetch;

    protected override ushort Concurrency => _options.Concurrency;

    protected override Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        Queue.DeclareAsync(channel, ImageTopology.Exchange, ExchangeType.Topic, [ImageTopology.RoutingKeys.JobRequested], cancellationToken);

    protected override async Task<MessageOutcome> HandleAsync(ImageJobRequestedV1 job, MessageContext context, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var startedAt = _time.GetUtcNow();
        var engineTime = TimeSpan.Zero;
        Activity.Current?.SetTag("stox.job.id", job.JobId).SetTag("stox.image.id", job.ImageId).SetTag("stox.job.attempt", context.Attempt);
        LogJobStarted(_logger, job.JobId, job.ImageId, context.Attempt, context.Redelivered);
        try
        {
            await using (var progress = new JobProgress(_publisher, job, context.Attempt, _worker.Name, _options.HeartbeatInterval, _time, _logger))
            {
                await progress.ReportAsync(ImageJobStages.Started, 0);
                var formats = ParseFormats(job.Formats);
                var original = await _store.DownloadAsync(job.OriginalKey, _imaging.MaxInputBytes, cancellationToken);
                await progress.ReportAsync(ImageJobStages.Downloaded, 10);

                var spec = new ImageJobSpec { Formats = formats, Enhance = job.Enhance, Timeout = _options.JobTimeout };
                var result = await _engine.ProcessAsync(original, spec, cancellationToken);
                engineTime = result.Elapsed;
                await progress.ReportAsync(ImageJobStages.Processed, 60);

                var variants = await UploadAsync(job, result.Variants, enhanced: false, cancellationToken);
                var enhanced = await UploadAsync(job, result.Enhanced, enhanced: true, cancellationToken);
                await progress.ReportAsync(ImageJobStages.Stored, 100);

                var (width, height) = result.Original.OrientedSize;
                var completed = new ImageJobCompletedV1(
                    job.JobId,
                    job.ImageId,
                    job.UserId,
                    new ImageInfoV1(width, height, result.Original.Format.ToString().ToLowerInvariant(), result.Original.Bytes),
                    variants,
                    enhanced,
                    result.Placeholder,
                    result.DominantColor,
                    _worker.Name,
                    startedAt,
                    _time.GetUtcNow());
                // Acknowledged only after this is confirmed: a crash before it redelivers the job, and the
                // second run overwrites the same keys.
                await _publisher.PublishAsync(ImageTopology.Exchange, ImageTopology.RoutingKeys.JobCompleted, completed, $"{job.JobId:N}.completed", job.JobId.ToString(), cancellationToken);
            }

            _metrics.Processed(started.Elapsed, job.Enhance);
            LogJobCompleted(_logger, job.JobId, started.Elapsed.TotalMilliseconds, engineTime.TotalMilliseconds);
            return MessageOutcome.Completed;
        }
        catch (Exception ex) when (PermanentError(ex) is { } error)
        {
            LogJobRejected(_logger, job.JobId, error);
            _metrics.Failed(started.Elapsed, permanent: true, ReasonOf(ex));
            await PublishFailedAsync(job, error, permanent: true, context.Attempt);
            return MessageOutcome.Completed;
        }
        catch (Exception ex)
        {
            _metrics.Failed(started.Elapsed, permanent: false, ReasonOf(ex));
            if (context.RetriesLeft > 0)
            {
                LogJobWillRetry(_logger, ex, job.JobId, context.Attempt, context.RetriesLeft);
                return MessageOutcome.RetryLater;
            }

            // Last attempt: say why before the queue dead-letters it.
            var error = TransientError(ex, context.Attempt);
            LogJobGaveUp(_logger, ex, job.JobId, context.Attempt, error);
            await PublishFailedAsync(job, error, permanent: false, context.Attempt);
            return MessageOutcome.RetryLater;
        }
    }

    private async Task<IReadOnlyList<VariantV1>> UploadAsync(ImageJobRequestedV1 job, IReadOnlyList<EncodedVariant> encoded, bool enhanced, CancellationToken cancellationToken)
    {
        var variants = encoded.Select(v =>
        {
            var format = FormatName(v.Format);
            var key = StorageKeys.Variant(job.UserId, job.ImageId, v.Preset, StorageKeys.ExtensionOf(format), enhanced);
            return (Data: v.Data, Variant: new VariantV1(v.Preset, format, v.Width, v.Height, v.Bytes, v.ContentType, key));
        }).ToList();
        await Parallel.ForEachAsync(
            variants,
            new ParallelOptions { MaxDegreeOfParallelism = _options.UploadParallelism, CancellationToken = cancellationToken },
            async (v, ct) => await _store.UploadAsync(v.Variant.Key, v.Data, v.Variant.ContentType, ct));
        return variants.Select(v => v.Variant).ToList();
    }

    private Task PublishFailedAsync(ImageJobRequestedV1 job, string error, bool permanent, int attempt) =>
        _publisher.PublishAsync(
            ImageTopology.Exchange,
            ImageTopology.RoutingKeys.JobFailed,
            new ImageJobFailedV1(job.JobId, job.ImageId, job.UserId, error, permanent, attempt, _worker.Name, _time.GetUtcNow()),
            $"{job.JobId:N}.failed",
            job.JobId.ToString());

    private static OutputFormats ParseFormats(IReadOnlyList<string> names)
    {
        var formats = OutputFormats.None;
        foreach (var name in names)
        {
            formats |= name.ToLowerInvariant() switch
            {
                ImageFormats.Jpeg => OutputFormats.Jpeg,
                ImageFormats.WebP => OutputFormats.WebP,
                ImageFormats.Avif => OutputFormats.Avif,
                _ => throw new UnsupportedOutputFormatException(name),
            };
        }

        return formats == OutputFormats.None ? OutputFormats.Default : formats;
    }

    private static string FormatName(OutputFormat format) => format switch
    {
        OutputFormat.Jpeg => ImageFormats.Jpeg,
        OutputFormat.WebP => ImageFormats.WebP,
        _ => ImageFormats.Avif,
    };

    /// <summary>The message a person reads when retrying cannot help; null for a failure worth retrying.</summary>
    private static string? PermanentError(Exception ex) => ex switch
    {
        ImageRejectedException rejected => rejected.Message,
        OriginalMissingException => "The original file is no longer in storage (the image was deleted while it waited to be processed).",
        OriginalTooLargeException tooLarge => $"The file is larger than the {tooLarge.Limit / (1024 * 1024)} MB limit.",
        UnsupportedOutputFormatException unsupported => unsupported.Message,
        _ => null,
    };

    private static string TransientError(Exception ex, int attempts) => ex switch
    {
        AmazonServiceException or HttpRequestException or IOException =>
            $"Storage could not be reached; gave up after {attempts} attempts. Try processing the image again later.",
        TimeoutException => $"Processing took too long; gave up after {attempts} attempts.",
        ImageProcessingException => $"The imaging engine failed on this image after {attempts} attempts: {ex.Message}",
        _ => $"Processing failed after {attempts} attempts because of an internal error.",
    };

    private static string ReasonOf(Exception ex) => ex switch
    {
        ImageRejectedException rejected => rejected.Reason.ToString(),
        OriginalMissingException => "OriginalMissing",
        OriginalTooLargeException => "TooLarge",
        AmazonServiceException or HttpRequestException or IOException => "Storage",
        _ => ex.GetType().Name,
    };

    [LoggerMessage(EventId = 100, EventName = "JobStarted", Level = LogLevel.Information, Message = "Job {JobId} (image {ImageId}) started, attempt {Attempt}, redelivered {Redelivered}.")]
    private static partial void LogJobStarted(ILogger logger, Guid jobId, Guid imageId, int attempt, bool redelivered);

    [LoggerMessage(EventId = 101, EventName = "JobCompleted", Level = LogLevel.Information, Message = "Job {JobId} completed in {ElapsedMs:0} ms ({EngineMs:0} ms in the imaging engine).")]
    private static partial void LogJobCompleted(ILogger logger, Guid jobId, double elapsedMs, double engineMs);

    [LoggerMessage(EventId = 102, EventName = "JobRejected", Level = LogLevel.Warning, Message = "Job {JobId} failed permanently: {Error}")]
    private static partial void LogJobRejected(ILogger logger, Guid jobId, string error);

    [LoggerMessage(EventId = 103, EventName = "JobWillRetry", Level = LogLevel.Warning, Message = "Job {JobId} failed on attempt {Attempt}; {RetriesLeft} retries left.")]
    private static partial void LogJobWillRetry(ILogger logger, Exception exception, Guid jobId, int attempt, int retriesLeft);

    [LoggerMessage(EventId = 104, EventName = "JobGaveUp", Level = LogLevel.Error, Message = "Job {JobId} failed on its last attempt ({Attempt}) and goes to the dead-letter queue: {Error}")]
    private static partial void LogJobGaveUp(ILogger logger, Exception exception, Guid jobId, int attempt, string error);
}

/// <summary>The job asks for an output format the engine does not make; a bad request, never retried.</summary>
public sealed class UnsupportedOutputFormatException(string format)
    : Exception($"The output format '{format}' is not supported. Supported: {string.Join(", ", ImageFormats.All)}.");
