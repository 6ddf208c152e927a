using Microsoft.AspNetCore.Http.HttpResults;
using Stox.ServiceDefaults.Problems;

namespace Stox.Jobs.Infrastructure;

/// <summary>The jobs service's errors (RFC 9457, stable <c>type</c>s under https://stox.dev/problems/).</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound() =>
        StoxProblems.Create(404, "not-found", "Not found", "The image does not exist.");

    public static ProblemHttpResult Unauthenticated() =>
        StoxProblems.Create(401, "unauthenticated", "Authentication required", "A valid access token is required.");

    public static ProblemHttpResult BadRequest(string detail) =>
        StoxProblems.Create(400, "bad-request", "Invalid request", detail);

    public static ProblemHttpResult EmptyFile(string name) =>
        StoxProblems.Create(400, "empty-file", "Empty file", $"The file '{name}' is empty.");

    public static ProblemHttpResult NoFile() =>
        StoxProblems.Create(400, "no-file", "No file", "The request has no file: send it as multipart/form-data in a field named 'file'.");

    public static ProblemHttpResult TooManyFiles(int max) =>
        StoxProblems.Create(400, "too-many-files", "Too many files", $"At most {max} files can be sent in one request.");

    public static ProblemHttpResult NotMultipart() =>
        StoxProblems.Create(415, "not-multipart", "Unsupported media type", "Send the files as multipart/form-data.");

    public static ProblemHttpResult UnsupportedImage(string name, string detected) =>
        StoxProblems.Create(415, "unsupported-image", "Not a supported image",
            $"The file '{name}' is not a supported image (detected: {detected}). Supported: JPEG, PNG, WebP, GIF, HEIC, AVIF, TIFF.",
            new Dictionary<string, object?> { ["detected"] = detected });

    public static ProblemHttpResult UndecodableImage(string name, string format, string supported) =>
        StoxProblems.Create(415, "unsupported-image", "Not a supported image",
            $"The file '{name}' is a {format} image, which this server cannot decode. Supported here: {supported}.",
            new Dictionary<string, object?> { ["detected"] = format });

    public static ProblemHttpResult CorruptImage(string name, string reason) =>
        StoxProblems.Create(422, "corrupt-image", "Unreadable image", $"The file '{name}' cannot be read as an image: {reason}");

    public static ProblemHttpResult TooManyPixels(string name, int width, int height, long maxPixels) =>
        StoxProblems.Create(422, "too-many-pixels", "Image too large",
            $"The image '{name}' is {width} x {height} pixels, over the {maxPixels / 1_000_000} megapixel limit.");

    public static ProblemHttpResult TooManyPixels(string name, string reason) =>
        StoxProblems.Create(422, "too-many-pixels", "Image too large", $"The image '{name}' has too many pixels: {reason}");

    public static ProblemHttpResult TooLarge(string name, long maxBytes) =>
        StoxProblems.Create(413, "file-too-large", "File too large", $"The file '{name}' is larger than the {maxBytes / (1024 * 1024)} MB limit.");

    public static ProblemHttpResult QuotaExceeded(int used, int quota, string tier) =>
        StoxProblems.Create(429, "quota-exceeded", "Monthly upload quota reached",
            $"You have used {used} of the {quota} uploads your {tier} plan allows this month.",
            new Dictionary<string, object?> { ["used"] = used, ["quota"] = quota, ["tier"] = tier });

    public static ProblemHttpResult IdempotencyKeyInUse() =>
        StoxProblems.Create(409, "idempotency-key-in-use", "Request in progress", "A request with this Idempotency-Key is still being processed; retry in a moment.");

    public static ProblemHttpResult IdempotencyKeyReused() =>
        StoxProblems.Create(422, "idempotency-key-reused", "Idempotency-Key reused", "This Idempotency-Key was already used for a different operation.");

    public static ProblemHttpResult Conflict(string detail) =>
        StoxProblems.Create(409, "conflict", "Conflict", detail);

    public static ProblemHttpResult StorageUnavailable() =>
        StoxProblems.Create(503, "storage-unavailable", "Storage unavailable", "The image store is not reachable right now; nothing was saved. Try again shortly.");

    public static ProblemHttpResult LiveUpdatesUnavailable() =>
        StoxProblems.Create(503, "live-updates-unavailable", "Live updates unavailable", "Live status updates are not available right now; the image status endpoints still work.");
}
