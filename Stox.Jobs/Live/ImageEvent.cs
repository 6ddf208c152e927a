namespace Stox.Jobs.Live;

/// <summary>What a browser hears about one of its images: the data of an <c>event: image</c> server-sent event.</summary>
public sealed record ImageEvent(Guid ImageId, Guid? JobId, string Status, int Progress, string? Stage, string? Error, DateTimeOffset At);

/// <summary>Status values beyond the image statuses that only events carry.</summary>
public static class ImageEventStatus
{
    public const string Deleted = "deleted";
}
