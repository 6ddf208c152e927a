using System.ComponentModel.DataAnnotations;
using Stox.Messaging.Contracts;
using Stox.Messaging.RabbitMQ;

namespace Stox.Processing;

/// <summary>The worker's settings, section "Processing"; validated at start-up.</summary>
public sealed class ProcessingOptions : IValidatableObject
{
    public const string SectionName = "Processing";

    /// <summary>Jobs a replica holds unacknowledged (being handled or waiting in its buffer).</summary>
    [Range(1, 100)]
    public ushort Prefetch { get; set; } = 2;

    /// <summary>Jobs a replica handles at once. One job already uses every core (libvips and parallel encodes).</summary>
    [Range(1, 16)]
    public ushort Concurrency { get; set; } = 1;

    /// <summary>
    /// Back-off before each retry of a transient failure; after the last, the job is dead-lettered. Empty: those of
    /// <see cref="ImageTopology.ProcessingJobsQueue"/> (5 s, 30 s, 2 min), which jobs declares too.
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } = [];

    /// <summary>How often a job in progress reports that it is alive.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:15")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of the imaging step of one job.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Variant uploads in flight at once, per job.</summary>
    [Range(1, 32)]
    public int UploadParallelism { get; set; } = 4;

    /// <summary>How long a stopping replica waits for the job in hand; past it the job is returned to the queue.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The work queue: the shared definition, with this worker's back-offs when they are configured.</summary>
    public QueueDefinition Queue => RetryDelays.Length > 0
        ? ImageTopology.ProcessingJobsQueue with { RetryDelays = RetryDelays }
        : ImageTopology.ProcessingJobsQueue;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Concurrency > Prefetch)
        {
            yield return new ValidationResult($"Concurrency ({Concurrency}) cannot exceed Prefetch ({Prefetch}).", [nameof(Concurrency), nameof(Prefetch)]);
        }

        if (RetryDelays.Length > 10 || RetryDelays.Any(d => d < TimeSpan.FromSeconds(1) || d > TimeSpan.FromHours(24)))
        {
            yield return new ValidationResult("RetryDelays: at most 10 delays, each between 1 s and 24 h.", [nameof(RetryDelays)]);
        }

        if (HeartbeatInterval > ImageJobStages.HeartbeatInterval)
        {
            yield return new ValidationResult($"HeartbeatInterval cannot exceed {ImageJobStages.HeartbeatInterval}: jobs would take a live job for a stuck one.", [nameof(HeartbeatInterval)]);
        }
    }
}
