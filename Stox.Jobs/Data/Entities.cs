namespace Stox.Jobs.Data;

public static class ImageStatus
{
    /// <summary>A pre-signed upload was handed out; the file is not in storage yet (hidden from the gallery).</summary>
    public const string AwaitingUpload = "awaiting-upload";
    public const string Pending = "pending";
    public const string Processing = "processing";
    public const string Complete = "complete";
    public const string Failed = "failed";

    /// <summary>What a client may filter the gallery by.</summary>
    public static readonly IReadOnlyList<string> Visible = [Pending, Processing, Complete, Failed];

    public static bool IsFinal(string status) => status is Complete or Failed;
}

/// <summary>Error texts kept in the database (job errors, the last error of a retried outbox row or deletion).</summary>
public static class ErrorText
{
    public const int MaxLength = 1000;

    /// <summary>The text cut to what its column holds.</summary>
    public static string Fit(string text) => text.Length <= MaxLength ? text : text[..MaxLength];
}

/// <summary>One uploaded or generated picture and what processing made of it.</summary>
public sealed class Image
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string OriginalName { get; set; }

    public required string OriginalKey { get; set; }

    /// <summary>The type the bytes really are (sniffed), e.g. image/jpeg.</summary>
    public required string ContentType { get; set; }

    public long OriginalBytes { get; set; }

    /// <summary>Input format as decoded (jpeg, png, heic...); null until known.</summary>
    public string? OriginalFormat { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public required string Status { get; set; }

    public string? Error { get; set; }

    public int Progress { get; set; }

    public bool Enhance { get; set; }

    public string[] Formats { get; set; } = [];

    public Guid? CurrentJobId { get; set; }

    public List<StoredVariant> Variants { get; set; } = [];

    public List<StoredVariant> Enhanced { get; set; } = [];

    public string? Placeholder { get; set; }

    public string? DominantColor { get; set; }

    /// <summary>Original plus every variant, for the usage numbers.</summary>
    public long StoredBytes { get; set; }

    /// <summary>The generation that made this picture; null for an upload.</summary>
    public Guid? GenerationId { get; set; }

    /// <summary>The seed the provider used for this picture, when it says.</summary>
    public long? Seed { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<ImageJob> Jobs { get; set; } = [];
}

/// <summary>A variant as stored (kept in a jsonb column of the image).</summary>
public sealed record StoredVariant(string Preset, string Format, int Width, int Height, long Bytes, string ContentType, string Key);

/// <summary>One request to process an image: the first upload, or a reprocess.</summary>
public sealed class ImageJob
{
    public Guid Id { get; set; }

    public Guid ImageId { get; set; }

    public Guid UserId { get; set; }

    public required string Status { get; set; }

    public bool Enhance { get; set; }

    public string[] Formats { get; set; } = [];

    /// <summary>Deliveries to a worker so far (the broker's redeliveries and our retries included).</summary>
    public int Attempts { get; set; }

    /// <summary>How many times a stuck job was sent again.</summary>
    public int Requeues { get; set; }

    public string? Worker { get; set; }

    public string? Stage { get; set; }

    public int Progress { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset QueuedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Last sign of life from a worker; a job in processing without one for too long is stuck.</summary>
    public DateTimeOffset? LastHeartbeatAt { get; set; }

    public Image? Image { get; set; }
}

/// <summary>A message written in the same transaction as the change it announces, published later by the dispatcher.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>The message type name (<c>image-job-requested.v1</c>).</summary>
    public required string Type { get; set; }

    public required string RoutingKey { get; set; }

    /// <summary>The message as JSON.</summary>
    public required string Payload { get; set; }

    /// <summary>W3C traceparent of the request that wrote it, so the trace continues through the broker.</summary>
    public string? TraceParent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>The answer given to a request with an <c>Idempotency-Key</c>, replayed for a repeat.</summary>
public sealed class IdempotencyRecord
{
    public Guid UserId { get; set; }

    public required string Key { get; set; }

    /// <summary><c>POST /api/images</c>: a key reused for another operation is refused.</summary>
    public required string Operation { get; set; }

    /// <summary>Null while the first request is still running.</summary>
    public int? StatusCode { get; set; }

    public string? ResponseBody { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Uploads a user made in a calendar month (UTC); deleting an image does not give one back.</summary>
public sealed class UploadCounter
{
    public Guid UserId { get; set; }

    /// <summary>First day of the month.</summary>
    public DateOnly Month { get; set; }

    public int Count { get; set; }
}

/// <summary>Objects to remove from storage, retried until the store has done it.</summary>
public sealed class StorageDeletion
{
    public Guid Id { get; set; }

    public string[] Keys { get; set; } = [];

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
