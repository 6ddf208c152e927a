using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Stox.Imaging;
using Stox.Jobs.Data;
using Stox.Jobs.Delivery;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.Jobs.Live;
using Stox.Jobs.Uploads;
using Stox.ServiceDefaults.Problems;

namespace Stox.Jobs.Apis;

/// <summary>The public images API (see Stox.Jobs/README.md). Another user's image is always a 404.</summary>
public static class ImagesApi
{
    private const string UploadOperation = "POST /api/images";
    private static readonly string[] Presets = [.. ImagePreset.Defaults.Select(p => p.Name)];

    public static IEndpointRouteBuilder MapImagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/images").RequireAuthorization().WithTags("Images")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        api.MapPost("/", UploadAsync)
            .WithSummary("Upload one or more images (multipart/form-data: file, enhance, formats)")
            .Produces<UploadResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/uploads", CreatePresignedUploadAsync)
            .WithSummary("Get a pre-signed S3 PUT URL for a large file")
            .Produces<PresignedUploadResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapPost("/{id}/complete", CompletePresignedUploadAsync)
            .WithSummary("Start processing a file uploaded with a pre-signed URL")
            .Produces<UploadResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapGet("/", ListAsync)
            .WithSummary("The user's images, newest first (keyset pagination; status, source=generated|uploaded)")
            .Produces<ImageListResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/events", ImageEventStream.StreamAsync)
            .WithSummary("Server-sent events for the user's images (Last-Event-ID resumes)")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/{id}", GetAsync)
            .WithSummary("Everything about one image")
            .Produces<ImageDetail>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id}/status", GetStatusAsync)
            .WithSummary("Status, error and progress of one image")
            .Produces<ImageStatusResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id}/content/{preset}", GetContentAsync)
            .WithSummary("Redirect to a variant in the best format the Accept header allows")
            .Produces(StatusCodes.Status302Found)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{id}/reprocess", ReprocessAsync)
            .WithSummary("Process the original again, optionally with another enhance setting")
            .Produces<UploadResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/{id}", DeleteAsync)
            .WithSummary("Delete an image and every object it has in storage")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpContext http, UploadService uploads, IdempotencyStore idempotency, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var key = http.Request.Headers[IdempotencyStore.HeaderName].ToString();
        if (key.Length > 0)
        {
            if (!IdempotencyStore.IsValidKey(key))
            {
                return Problems.BadRequest("The Idempotency-Key header must be 1 to 255 visible ASCII characters.");
            }

            if (await idempotency.ClaimAsync(user.Id, key, UploadOperation, cancellationToken) is { } earlier)
            {
                return earlier;
            }
        }

        UploadResult result;
        try
        {
            result = await uploads.UploadMultipartAsync(http.Request, user, cancellationToken);
        }
        catch when (key.Length > 0)
        {
            await idempotency.ReleaseAsync(user.Id, key, CancellationToken.None);
            throw;
        }

        if (result.Problem is { } problem)
        {
            if (key.Length > 0)
            {
                await idempotency.ReleaseAsync(user.Id, key, CancellationToken.None);
            }

            return problem;
        }

        object body = result.Images.Count == 1
            ? ImageViews.Upload(result.Images[0])
            : new UploadBatchResponse([.. result.Images.Select(ImageViews.Upload)]);
        if (key.Length > 0)
        {
            await idempotency.CompleteAsync(user.Id, key, StatusCodes.Status202Accepted, body, CancellationToken.None);
        }

        return TypedResults.Json(body, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> CreatePresignedUploadAsync(HttpContext http, PresignedUploadService presigned, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var (request, invalid) = await JsonBody.ReadAsync<PresignedUploadRequest>(http.Request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var (response, problem) = await presigned.CreateAsync(user, request!, cancellationToken);
        return problem ?? TypedResults.Created($"/api/images/{response!.Id}", response);
    }

    private static async Task<IResult> CompletePresignedUploadAsync(string id, HttpContext http, PresignedUploadService presigned, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user || !Guid.TryParse(id, out var imageId))
        {
            return Problems.NotFound();
        }

        var (image, problem) = await presigned.CompleteAsync(user, imageId, cancellationToken);
        return problem ?? TypedResults.Json(ImageViews.Upload(image!), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ListAsync(
        HttpContext http,
        JobsDbContext db,
        DeliveryUrls urls,
        string? cursor,
        string? limit,
        string? status,
        string? all,
        string? source,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var errors = new Dictionary<string, string[]>();
        var (take, after) = KeysetCursor.ReadPage(cursor, limit, errors);
        if (status is not null && !ImageStatus.Visible.Contains(status))
        {
            errors["status"] = [$"status must be one of {string.Join(", ", ImageStatus.Visible)}."];
        }

        if (source is not null && source is not ("generated" or "uploaded"))
        {
            errors["source"] = ["source must be generated or uploaded."];
        }

        var everyone = all is "true" or "1";
        if (errors.Count > 0)
        {
            return StoxProblems.Validation(errors);
        }

        if (everyone && !user.IsAdmin)
        {
            return StoxProblems.Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "Only administrators can list every user's images.");
        }

        var query = after is { } a
            ? db.Images.FromSql($"""SELECT * FROM images WHERE ("CreatedAt", "Id") < ({a.CreatedAt}, {a.Id})""")
            : db.Images;
        query = query.AsNoTracking().Where(i => i.Status != ImageStatus.AwaitingUpload);
        if (!everyone)
        {
            query = query.Where(i => i.UserId == user.Id);
        }

        if (status is not null)
        {
            query = query.Where(i => i.Status == status);
        }

        query = source switch
        {
            "generated" => query.Where(i => i.GenerationId != null),
            "uploaded" => query.Where(i => i.GenerationId == null),
            _ => query,
        };

        var page = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(take + 1).ToListAsync(cancellationToken);
        var next = KeysetCursor.Next(page, take, i => (i.CreatedAt, i.Id));
        return TypedResults.Ok(new ImageListResponse([.. page.Take(take).Select(i => ImageViews.ListItem(i, urls))], next));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, JobsDbContext db, DeliveryUrls urls, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, http, db, cancellationToken) is not { } image)
        {
            return Problems.NotFound();
        }

        var job = image.CurrentJobId is { } jobId ? await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken) : null;
        var generation = image.GenerationId is { } generationId ? await db.Generations.AsNoTracking().SingleOrDefaultAsync(g => g.Id == generationId, cancellationToken) : null;
        return TypedResults.Ok(ImageViews.Detail(image, job, generation, urls));
    }

    private static async Task<IResult> GetStatusAsync(string id, HttpContext http, JobsDbContext db, CancellationToken cancellationToken) =>
        await FindAsync(id, http, db, cancellationToken) is { } image
            ? TypedResults.Ok(new ImageStatusResponse(image.Status, image.Error, image.Progress))
            : Problems.NotFound();

    private static async Task<IResult> GetContentAsync(string id, string preset, string? format, string? enhanced, HttpContext http, JobsDbContext db, DeliveryUrls urls, CancellationToken cancellationToken)
    {
        if (!Presets.Contains(preset))
        {
            return StoxProblems.Validation("preset", $"preset must be one of {string.Join(", ", Presets)}.");
        }

        if (await FindAsync(id, http, db, cancellationToken) is not { } image)
        {
            return Problems.NotFound();
        }

        if (image.Status != ImageStatus.Complete)
        {
            return StoxProblems.Create(StatusCodes.Status409Conflict, "not-ready", "Not processed yet", $"The image is {image.Status}; its variants are not available.");
        }

        var wantEnhanced = enhanced is "true" or "1";
        var candidates = (wantEnhanced ? image.Enhanced : image.Variants).Where(v => v.Preset == preset);
        if (format is not null)
        {
            candidates = candidates.Where(v => v.Format == (format == "jpg" ? "jpeg" : format));
        }

        if (ContentNegotiation.Choose(candidates, http.Request.Headers.Accept.ToString()) is not { } variant)
        {
            return StoxProblems.Create(StatusCodes.Status404NotFound, "variant-not-found", "Variant not found",
                wantEnhanced && image.Enhanced.Count == 0 ? "This image has no enhanced version; reprocess it with enhance=true." : $"The image has no {preset} variant in {format ?? "any"} format.");
        }

        http.Response.Headers.CacheControl = "private, max-age=300";
        http.Response.Headers.Vary = "Accept";
        return TypedResults.Redirect(urls.Download(variant.Key));
    }

    private static async Task<IResult> ReprocessAsync(string id, HttpContext http, ImageCommands commands, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user || !Guid.TryParse(id, out var imageId))
        {
            return Problems.NotFound();
        }

        ReprocessRequest? request = null;
        if (http.Request.ContentLength is not 0 && (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0))
        {
            var (body, invalid) = await JsonBody.ReadAsync<ReprocessRequest>(http.Request, cancellationToken);
            if (invalid is not null)
            {
                return invalid;
            }

            request = body;
        }

        var (image, problem) = await commands.ReprocessAsync(user, imageId, request?.Enhance, cancellationToken);
        return problem ?? (IResult)TypedResults.Json(ImageViews.Upload(image!), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, ImageCommands commands, CancellationToken cancellationToken) =>
        CurrentUser.From(http.User) is { } user && Guid.TryParse(id, out var imageId) && await commands.DeleteAsync(user, imageId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound();

    /// <summary>The image if it exists and the caller may see it (its owner, or an admin).</summary>
    private static async Task<Image?> FindAsync(string id, HttpContext http, JobsDbContext db, CancellationToken cancellationToken)
    {
        if (CurrentUser.From(http.User) is not { } user || !Guid.TryParse(id, out var imageId))
        {
            return null;
        }

        var image = await db.Images.AsNoTracking().SingleOrDefaultAsync(i => i.Id == imageId, cancellationToken);
        return image is not null && (image.UserId == user.Id || user.IsAdmin) ? image : null;
    }
}
