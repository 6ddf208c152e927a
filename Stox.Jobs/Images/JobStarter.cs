using Stox.Jobs.Data;
using Stox.Jobs.Outbox;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Images;

/// <summary>Starts processing an image: a job row and its request in the outbox, in the caller's transaction.</summary>
public static class JobStarter
{
    public static ImageJob Start(JobsDbContext db, Image image, bool enhance, string[] formats, DateTimeOffset now)
    {
        var job = new ImageJob
        {
            Id = Guid.CreateVersion7(now),
            ImageId = image.Id,
            UserId = image.UserId,
            Status = ImageStatus.Pending,
            Enhance = enhance,
            Formats = formats,
            QueuedAt = now,
        };
        db.Jobs.Add(job);

        image.CurrentJobId = job.Id;
        image.Status = ImageStatus.Pending;
        image.Progress = 0;
        image.Error = null;
        image.Enhance = enhance;
        image.Formats = formats;
        image.UpdatedAt = now;

        Request(db, job, image, now);
        return job;
    }

    /// <summary>(Re)sends the request of an existing job, e.g. one that got stuck.</summary>
    public static void Request(JobsDbContext db, ImageJob job, Image image, DateTimeOffset now) =>
        OutboxWriter.Add(db, ImageTopology.RoutingKeys.JobRequested, new ImageJobRequestedV1(
            job.Id, image.Id, image.UserId, image.OriginalKey, image.OriginalName, job.Enhance, job.Formats, now), now);
}
