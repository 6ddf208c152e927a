using Stox.Messaging.Contracts;
using Stox.Messaging.RabbitMQ;

namespace Stox.Processing.ImageJobs;

/// <summary>
/// Reports one job attempt's stages and, between them, a heartbeat at least every
/// <see cref="ProcessingOptions.HeartbeatInterval"/>, so jobs can tell a live job from a stuck one.
/// </summary>
internal sealed partial class JobProgress : IAsyncDisposable
{
    private readonly MessagePublisher _publisher;
    private readonly ImageJobRequestedV1 _job;
    private readonly int _attempt;
    private readonly string _worker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeats;
    private int _percent;

    public JobProgress(MessagePublisher publisher, ImageJobRequestedV1 job, int attempt, string worker, TimeSpan heartbeatInterval, TimeProvider time, ILogger logger)
    {
        _publisher = publisher;
        _job = job;
        _attempt = attempt;
        _worker = worker;
        _time = time;
        _logger = logger;
        _heartbeats = BeatAsync(heartbeatInterval);
    }

    public Task ReportAsync(string stage, int percent)
    {
        Volatile.Write(ref _percent, percent);
        // Deterministic id: a stage reported twice for the same attempt is a duplicate to the receiver.
        return PublishAsync(stage, percent, $"{_job.JobId:N}.{stage}.{_attempt}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeats;
        _stop.Dispose();
    }

    private async Task BeatAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    await PublishAsync(ImageJobStages.Heartbeat, Volatile.Read(ref _percent), Guid.NewGuid().ToString("N"));
                }
                catch (Exception ex)
                {
                    // A missed heartbeat is not a reason to abandon the work: the next one may get through.
                    LogHeartbeatFailed(_logger, ex, _job.JobId);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The attempt is over.
        }
    }

    private Task PublishAsync(string stage, int percent, string messageId) =>
        _publisher.PublishAsync(
            ImageTopology.Exchange,
            ImageTopology.RoutingKeys.JobProgress,
            new ImageJobProgressV1(_job.JobId, _job.ImageId, _job.UserId, stage, percent, _attempt, _worker, _time.GetUtcNow()),
            messageId,
            _job.JobId.ToString());

    [LoggerMessage(EventId = 110, EventName = "HeartbeatFailed", Level = LogLevel.Warning, Message = "A heartbeat of job {JobId} could not be published.")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception, Guid jobId);
}
