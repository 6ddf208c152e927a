using System.ComponentModel.DataAnnotations;

namespace Stox.Jobs;

/// <summary>Settings of the jobs service (configuration section <c>Jobs</c>), validated at start-up.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Largest accepted file (default 50 MB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Largest accepted image in pixels (default 100 MP).</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 100_000_000;

    /// <summary>Files in one multipart request.</summary>
    [Range(1, 100)]
    public int MaxFilesPerRequest { get; set; } = 20;

    /// <summary>Monthly uploads allowed when the access token carries no <c>upload_quota</c> claim (tokens issued before it existed).</summary>
    [Range(0, int.MaxValue)]
    public int DefaultMonthlyUploadQuota { get; set; } = 50;

    /// <summary>Bytes buffered per S3 multipart part while an upload streams through (S3's minimum part is 5 MB).</summary>
    [Range(5 * 1024 * 1024, 64 * 1024 * 1024)]
    public int UploadPartBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How long a pre-signed upload URL stays valid.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan PresignedUploadLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a pre-signed download URL (gallery, content redirect) stays valid.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan DeliveryUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Public or CDN base for variants (e.g. https://cdn.example.com/images); null hands out pre-signed URLs.</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>A job in processing without a worker heartbeat for this long is sent again.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan StuckJobTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Times a stuck job is sent again before it is marked failed.</summary>
    [Range(0, 10)]
    public int MaxRequeues { get; set; } = 2;

    /// <summary>
    /// A generation pending or generating this long after its last run started (or, never run, after its message
    /// left the outbox) is given up and refunded. Keep it well above the longest run the provider settings allow
    /// (Generation:MaxAttempts x (RequestTimeout + MaxRetryAfter) per picture, 6 minutes by default) plus the
    /// generation queue's retry delays.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan StuckGenerationTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often each replica looks for stuck jobs, pending deletions and expired uploads.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyKeyLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Networks of reverse proxies whose X-Forwarded-For is believed (CIDR); loopback is always trusted.</summary>
    public List<string> KnownProxyNetworks { get; set; } = [];
}
