using Amazon.Runtime;
using Amazon.S3;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Stox.Jobs.Data;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.Jobs.Live;
using Stox.Jobs.Maintenance;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Uploads;

/// <summary>An upload's outcome: the new images, or the problem that refused all of them.</summary>
public sealed record UploadResult(IReadOnlyList<Image> Images, ProblemHttpResult? Problem)
{
    public static UploadResult Refused(ProblemHttpResult problem) => new([], problem);
}

/// <summary>
/// <c>POST /api/images</c>: reads the multipart body section by section, checks each file from its first bytes,
/// streams it to S3, and only when every file is stored writes the images, their jobs and the outbox messages in
/// one transaction. A request refused half-way keeps nothing: what was already stored is deleted.
/// </summary>
public sealed partial class UploadService(
    JobsDbContext db,
    OriginalStore store,
    UploadInspector inspector,
    OutboxSignal outbox,
    StorageDeletionSignal deletions,
    ImageEventBroadcaster broadcaster,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<UploadService> logger)
{
    private const int MaxFieldBytes = 1024;
    private const int MaxFields = 32;
    private const long MaxDrainBytes = 100L * 1024 * 1024;

    private readonly List<StoredFile> _stored = [];

    public async Task<UploadResult> UploadMultipartAsync(HttpRequest request, CurrentUser user, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
        {
            return UploadResult.Refused(Problems.NotMultipart());
        }

        var o = options.Value;
        var limit = UploadQuota.Limit(user, o);
        var used = await UploadQuota.UsedAsync(db, user.Id, time.GetUtcNow(), cancellationToken);
        if (used >= limit)
        {
            return UploadResult.Refused(Problems.QuotaExceeded(used, limit, user.Tier));
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = o.MaxFilesPerRequest * (o.MaxFileBytes + (64 * 1024)) + (MaxFields * MaxFieldBytes);
        }

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var refusal = await ReadSectionsAsync(new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 }, fields, used, limit, user, cancellationToken);
            if (refusal is not null)
            {
                await ForgetStoredAsync(cancellationToken);
                await DrainAsync(request.Body, cancellationToken);
                return UploadResult.Refused(refusal);
            }
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException)
        {
            LogStorageFailed(logger, ex);
            await ForgetStoredAsync(CancellationToken.None);
            return UploadResult.Refused(Problems.StorageUnavailable());
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            await ForgetStoredAsync(CancellationToken.None);
            return UploadResult.Refused(ex is BadHttpRequestException { StatusCode: 413 }
                ? Problems.TooLarge("request", o.MaxFilesPerRequest * o.MaxFileBytes)
                : Problems.BadRequest("The upload was interrupted or is not valid multipart/form-data."));
        }
        catch
        {
            await ForgetStoredAsync(CancellationToken.None);
            throw;
        }

        if (_stored.Count == 0)
        {
            return UploadResult.Refused(Problems.NoFile());
        }

        var settings = ReadSettings(request, fields, out var settingsProblem);
        if (settingsProblem is not null)
        {
            await ForgetStoredAsync(cancellationToken);
            return UploadResult.Refused(settingsProblem);
        }

        return await CommitAsync(user, settings, cancellationToken);
    }

    private async Task<ProblemHttpResult?> ReadSectionsAsync(MultipartReader reader, Dictionary<string, string> fields, int used, int limit, CurrentUser user, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var buffer = store.RentBuffer();
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    return Problems.BadRequest("A multipart section has no valid Content-Disposition header.");
                }

                if (!disposition.IsFileDisposition())
                {
                    if (fields.Count >= MaxFields)
                    {
                        return Problems.BadRequest($"At most {MaxFields} form fields are accepted.");
                    }

                    var value = await ReadFieldAsync(section.Body, cancellationToken);
                    if (value is null)
                    {
                        return Problems.BadRequest($"The form field '{disposition.Name.Value}' is longer than {MaxFieldBytes} bytes.");
                    }

                    fields[HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty] = value;
                    continue;
                }

                if (_stored.Count >= o.MaxFilesPerRequest)
                {
                    return Problems.TooManyFiles(o.MaxFilesPerRequest);
                }

                if (used + _stored.Count + 1 > limit)
                {
                    return Problems.QuotaExceeded(used, limit, user.Tier);
                }

                var name = UploadFields.CleanFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value);
                var length = await store.FillAsync(section.Body, buffer, 0, cancellationToken);
                var inspected = inspector.Inspect(buffer.AsMemory(0, length), length < store.PartBytes, name, out var problem);
                if (problem is not null)
                {
                    return problem;
                }

                var imageId = Guid.CreateVersion7(time.GetUtcNow());
                var key = StorageKeys.Original(user.Id, imageId, inspected.Extension);
                long bytes;
                try
                {
                    bytes = await store.PutAsync(key, inspected.ContentType, buffer, length, section.Body, o.MaxFileBytes, cancellationToken);
                }
                catch (FileTooLargeException)
                {
                    return Problems.TooLarge(name, o.MaxFileBytes);
                }

                _stored.Add(new StoredFile(imageId, name, key, inspected, bytes));
            }

            return null;
        }
        finally
        {
            OriginalStore.ReturnBuffer(buffer);
        }
    }

    private async Task<UploadResult> CommitAsync(CurrentUser user, (bool Enhance, string[] Formats) settings, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var images = new List<Image>();
        var refusal = await db.InTransactionAsync(async ct =>
        {
            images.Clear();
            if (await UploadQuota.ReserveAsync(db, user, o, _stored.Count, now, ct) is { } problem)
            {
                return problem;
            }

            foreach (var file in _stored)
            {
                var image = new Image
                {
                    Id = file.ImageId,
                    UserId = user.Id,
                    OriginalName = file.Name,
                    OriginalKey = file.Key,
                    ContentType = file.Inspected.ContentType, // required; DescribeOriginal sets it with the rest
                    Status = ImageStatus.Pending,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                file.Inspected.DescribeOriginal(image, file.Bytes);
                db.Images.Add(image);
                JobStarter.Start(db, image, settings.Enhance, settings.Formats, now);
                images.Add(image);
            }

            return null;
        }, cancellationToken);

        if (refusal is not null)
        {
            await ForgetStoredAsync(cancellationToken);
            return UploadResult.Refused(refusal);
        }

        outbox.Notify();
        foreach (var image in images)
        {
            await broadcaster.PublishAsync(user.Id, new ImageEvent(image.Id, image.CurrentJobId, ImageStatus.Pending, 0, null, null, now), cancellationToken);
        }

        return new UploadResult(images, null);
    }

    private static (bool Enhance, string[] Formats) ReadSettings(HttpRequest request, Dictionary<string, string> fields, out ProblemHttpResult? problem)
    {
        problem = null;
        var enhanceText = fields.GetValueOrDefault("enhance") ?? request.Query["enhance"].ToString();
        if (!UploadFields.TryParseEnhance(enhanceText, out var enhance))
        {
            problem = Problems.BadRequest($"'enhance' must be true or false, not '{enhanceText}'.");
            return default;
        }

        if (!UploadFields.TryParseFormats(fields.GetValueOrDefault("formats") ?? request.Query["formats"].ToString(), out var formats, out var error))
        {
            problem = Problems.BadRequest(error!);
            return default;
        }

        return (enhance, formats);
    }

    /// <summary>
    /// Reads what is left of a refused request (up to <see cref="MaxDrainBytes"/>) so the client, and the gateway
    /// in between, get the error instead of a connection reset for a body they were still sending.
    /// </summary>
    private static async Task DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long drained = 0;
            int read;
            while (drained < MaxDrainBytes && (read = await body.ReadAsync(buffer, timeout.Token)) > 0)
            {
                drained += read;
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // The client stopped sending: nothing more to do.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<string?> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return length > MaxFieldBytes ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>Hands what this request already stored to the cleanup: it never became an image.</summary>
    private async Task ForgetStoredAsync(CancellationToken cancellationToken)
    {
        if (_stored.Count == 0)
        {
            return;
        }

        try
        {
            db.ChangeTracker.Clear();
            db.StorageDeletions.Add(StorageCleanup.For(_stored.Select(f => f.Key), time.GetUtcNow()));
            await db.SaveChangesAsync(cancellationToken);
            deletions.Notify();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCleanupFailed(logger, ex, _stored.Count);
        }

        _stored.Clear();
    }

    private sealed record StoredFile(Guid ImageId, string Name, string Key, InspectedImage Inspected, long Bytes);

    [LoggerMessage(EventId = 200, EventName = "UploadStorageFailed", Level = LogLevel.Warning, Message = "An upload failed because storage is unavailable.")]
    private static partial void LogStorageFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 201, EventName = "UploadCleanupFailed", Level = LogLevel.Error, Message = "{Count} stored originals of a refused upload could not be scheduled for deletion.")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, int count);
}
