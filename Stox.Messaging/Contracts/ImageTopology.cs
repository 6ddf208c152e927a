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
    }

    public static class Queues
    {
        /// <summary>Competing processing replicas take jobs from here.</summary>
        public const string ProcessingJobs = "processing.image-jobs";

        public const string JobsProgress = "jobs.image-progress";
        public const string JobsCompleted = "jobs.image-completed";
        public const string JobsFailed = "jobs.image-failed";
    }
}
