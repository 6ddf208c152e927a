using System.Net;
using Microsoft.Net.Http.Headers;
using Stox.Frontend.Backends;
using Stox.Frontend.Sessions;

namespace Stox.Frontend.Images;

/// <summary>
/// Image bytes for the pages. <c>/media/{id}/{preset}</c> asks jobs for the variant as the user and sends the browser
/// on to the short-lived S3 URL jobs answers with; <c>/media/{id}/{preset}/download</c> streams it as an attachment
/// with a readable file name.
/// </summary>
public static class MediaEndpoints
{
    public const string StorageClientName = "storage-download";

    public static WebApplication MapMedia(this WebApplication app)
    {
        var media = app.MapGroup("/media/{id}/{preset}").RequireAuthorization();
        media.MapGet("", RedirectAsync);
        media.MapGet("/download", DownloadAsync);
        return app;
    }

    /// <summary>The address a page uses for a variant: jobs' URL when it is absolute (pre-signed or CDN), else ours.</summary>
    public static string? Resolve(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        if (url.StartsWith("/api/images/", StringComparison.Ordinal))
        {
            // /api/images/{id}/content/{preset}?... -> /media/{id}/{preset}?...
            var rest = url["/api/images/".Length..];
            return "/media/" + rest.Replace("/content/", "/", StringComparison.Ordinal);
        }

        return url;
    }

    public static string Url(string id, string preset, string? format = null, bool enhanced = false, bool download = false)
    {
        var url = $"/media/{Uri.EscapeDataString(id)}/{Uri.EscapeDataString(preset)}{(download ? "/download" : "")}";
        var query = new List<string>();
        if (format is not null)
        {
            query.Add("format=" + Uri.EscapeDataString(format));
        }

        if (enhanced)
        {
            query.Add("enhanced=true");
        }

        return query.Count == 0 ? url : url + "?" + string.Join('&', query);
    }

    private static async Task<IResult> RedirectAsync(HttpContext context, string id, string preset, string? format, bool? enhanced, SessionManager sessions, JobsClient jobs)
    {
        var response = await FetchAsync(context, id, preset, format, enhanced ?? false, sessions, jobs);
        if (response is null)
        {
            return TypedResults.StatusCode(StatusCodes.Status502BadGateway);
        }

        if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
        {
            response.Dispose();
            // The pre-signed URL lives a few minutes: let the browser cache the redirect for less than that.
            context.Response.Headers.CacheControl = "private, max-age=60";
            return TypedResults.Redirect(location.ToString());
        }

        return Relay(context, response, null);
    }

    private static async Task<IResult> DownloadAsync(
        HttpContext context, string id, string preset, string? format, bool? enhanced, SessionManager sessions, JobsClient jobs, IHttpClientFactory clients)
    {
        var response = await FetchAsync(context, id, preset, format, enhanced ?? false, sessions, jobs);
        if (response is null)
        {
            return TypedResults.StatusCode(StatusCodes.Status502BadGateway);
        }

        if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
        {
            response.Dispose();
            response = await clients.CreateClient(StorageClientName).GetAsync(location, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }

        var extension = response.Content.Headers.ContentType?.MediaType switch
        {
            "image/webp" => "webp",
            "image/avif" => "avif",
            "image/png" => "png",
            "image/gif" => "gif",
            "image/heic" or "image/heif" => "heic",
            "image/tiff" => "tiff",
            _ => format ?? "jpg",
        };
        return Relay(context, response, $"{id}-{preset}{(enhanced == true ? "-enhanced" : "")}.{extension}");
    }

    private static async Task<HttpResponseMessage?> FetchAsync(HttpContext context, string id, string preset, string? format, bool enhanced, SessionManager sessions, JobsClient jobs)
    {
        if (await sessions.GetCurrentAsync(context) is not { } session)
        {
            return null;
        }

        var accept = context.Request.Headers.Accept.ToString();
        var response = await jobs.GetContentAsync(session.AccessToken, id, preset, format, enhanced, accept, context.RequestAborted);
        if (response?.StatusCode == HttpStatusCode.Unauthorized && await sessions.RefreshAfterRejectionAsync(context, session.AccessToken) is { } fresh)
        {
            response.Dispose();
            response = await jobs.GetContentAsync(fresh.AccessToken, id, preset, format, enhanced, accept, context.RequestAborted);
        }

        return response;
    }

    private static IResult Relay(HttpContext context, HttpResponseMessage response, string? attachmentName)
    {
        context.Response.RegisterForDispose(response);
        if (!response.IsSuccessStatusCode)
        {
            return TypedResults.StatusCode((int)response.StatusCode);
        }

        if (attachmentName is not null)
        {
            context.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = attachmentName, FileName = attachmentName }.ToString();
        }

        context.Response.Headers.CacheControl = "private, max-age=300";
        return TypedResults.Stream(
            streamWriterCallback: async body =>
            {
                await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
                await stream.CopyToAsync(body, context.RequestAborted);
            },
            contentType: response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream");
    }

    private static bool IsRedirect(HttpStatusCode status) => (int)status is >= 300 and < 400;
}
