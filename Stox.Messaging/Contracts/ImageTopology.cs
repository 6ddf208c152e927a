using RabbitMQ.Client;
using Stox.Messaging.RabbitMQ;

namespace Stox.Messaging.Contracts;

/// <summary>
/// Where image-job messages travel. Jobs publishes requests and consumes events; processing consumes requests
/// and publishes events. Both go through one durable topic exchange, so another consumer (an audit log, a
/// webhook sender) can bind its own queue without touching either service.
/// </summary>
public static class ImageTopology
{
    public const string Exchange = "stox.images";

    public static class RoutingKeys
    {
        public const string JobRequested = "image.job.requested";
        public const string JobProgress = "image.job.progress";
        public const string JobCompleted = "image.job.completed";
        public const string JobFailed = "image.job.failed";
        public const string GenerationRequested = "image.generation.requested";
    }

    public static class Queues
    {
        /// <summary>Competing processing replicas take jobs from here.</summary>
        public const string ProcessingJobs = "processing.image-jobs";

        public const string JobsProgress = "jobs.image-progress";
        public const string JobsCompleted = "jobs.image-completed";
        public const string JobsFailed = "jobs.image-failed";

        /// <summary>Jobs replicas take accepted generations from here and ask the provider for their pictures.</summary>
        public const string JobsGenerations = "jobs.image-generations";
    }

    /// <summary>
    /// The processing work queue with its retry back-offs and delivery limit. Processing consumes it; jobs declares
    /// it too, so that a job published before any worker started is kept rather than returned as unroutable.
    /// Both must declare it with the same arguments, hence one definition.
    /// </summary>
    public static readonly QueueDefinition ProcessingJobsQueue = new(
        Queues.ProcessingJobs,
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)],
        DeliveryLimit: 5);

    /// <summary>Declares the exchange and the processing queue bound to it (idempotent).</summary>
    public static Task DeclareProcessingJobsAsync(IChannel channel, CancellationToken cancellationToken = default) =>
        ProcessingJobsQueue.DeclareAsync(channel, Exchange, ExchangeType.Topic, [RoutingKeys.JobRequested], cancellationToken);
}
