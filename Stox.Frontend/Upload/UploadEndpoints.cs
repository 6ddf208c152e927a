using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Stox.Frontend.Backends;
using Stox.Frontend.Sessions;

namespace Stox.Frontend.Upload;

/// <summary>
/// Uploads from the upload panel's script. Small files come through here and are streamed on to jobs; large ones go
/// straight to S3: the script asks for a pre-signed PUT here, sends the bytes to S3 itself, then completes here.
/// </summary>
public static class UploadEndpoints
{
    public static RouteGroupBuilder MapUploads(this RouteGroupBuilder bff)
    {
        var uploads = bff.MapGroup("/uploads");
        uploads.MapPost("/file", UploadFileAsync);
        uploads.MapPost("/direct", StartDirectAsync);
        uploads.MapPost("/{id}/complete", CompleteAsync);
        return uploads;
    }

    private static async Task<IResult> UploadFileAsync(
        HttpContext context, bool? enhance, UserApi api, JobsClient jobs, IOptions<FrontendOptions> options)
    {
        var limit = options.Value.DirectUploadThresholdBytes;
        if (context.Request.ContentLength is not { } length || length == 0)
        {
            return Problem(new ApiProblem(411, null, "Empty file", "The file is empty.", ApiProblem.Empty, null));
        }

        if (length > limit)
        {
            return Problem(new ApiProblem(413, null, "Too large for this path", "Large files are uploaded straight to storage; reload the page and try again.", ApiProblem.Empty, null));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        var name = Uri.UnescapeDataString(context.Request.Headers["X-File-Name"].ToString());
        var contentType = context.Request.ContentType ?? "application/octet-stream";
        // The body can be sent once only, so no second attempt after a refused token: the page retries the file.
        var token = await api.AccessTokenAsync();
        if (token is null)
        {
            return TypedResults.Unauthorized();
        }

        var result = await jobs.UploadAsync(token, context.Request.Body, string.IsNullOrWhiteSpace(name) ? "photo" : name, contentType, length, enhance ?? false, context.RequestAborted);
        return result.Succeeded ? TypedResults.Json(result.Value, statusCode: StatusCodes.Status202Accepted) : Problem(result.Problem!);
    }

    private static async Task<IResult> StartDirectAsync(DirectUploadRequest upload, UserApi api, JobsClient jobs)
    {
        var result = await api.CallAsync(token => jobs.StartDirectUploadAsync(token, upload));
        return result.Succeeded ? TypedResults.Json(result.Value, statusCode: StatusCodes.Status201Created) : Problem(result.Problem!);
    }

    private static async Task<IResult> CompleteAsync(string id, UserApi api, JobsClient jobs)
    {
        var result = await api.CallAsync(token => jobs.CompleteDirectUploadAsync(token, id));
        return result.Succeeded ? TypedResults.Json(result.Value, statusCode: StatusCodes.Status202Accepted) : Problem(result.Problem!);
    }

    private static IResult Problem(ApiProblem problem) =>
        TypedResults.Problem(statusCode: problem.Status, title: problem.Title, detail: problem.Message, type: problem.Type);
}
