using System.Net.Http.Headers;

namespace Stox.Frontend.Backends;

/// <summary>
/// Jobs' images and credits API, reached directly through service discovery (<c>http://jobs</c>), with the user's token.
/// Asking for pictures goes through the gateway instead (<see cref="EdgeClient"/>).
/// </summary>
public sealed class JobsClient(HttpClient http, ILogger<JobsClient> logger) : ServiceClient(http, logger, "images")
{
    public Task<ApiResult<ImagePage>> ListAsync(string token, string? cursor, int limit, string? status, CancellationToken ct = default) =>
        ListAsync(token, cursor, limit, status, null, ct);

    public Task<ApiResult<ImagePage>> ListAsync(string token, string? cursor, int limit, string? status, string? source, CancellationToken ct = default)
    {
        var query = $"/api/images?limit={limit}";
        if (cursor is not null)
        {
            query += "&cursor=" + Uri.EscapeDataString(cursor);
        }

        if (status is not null)
        {
            query += "&status=" + Uri.EscapeDataString(status);
        }

        if (source is not null)
        {
            query += "&source=" + Uri.EscapeDataString(source);
        }

        return SendAsync<ImagePage>(Request(HttpMethod.Get, query, token), ct);
    }

    public Task<ApiResult<GenerationOptions>> GetGenerationOptionsAsync(string token, CancellationToken ct = default) =>
        SendAsync<GenerationOptions>(Request(HttpMethod.Get, "/api/generations/options", token), ct);

    public Task<ApiResult<Credits>> GetCreditsAsync(string token, CancellationToken ct = default) =>
        SendAsync<Credits>(Request(HttpMethod.Get, "/api/credits", token), ct);

    public Task<ApiResult<CreditTransactionPage>> ListTransactionsAsync(string token, string? cursor, int limit, CancellationToken ct = default) =>
        SendAsync<CreditTransactionPage>(Request(HttpMethod.Get, $"/api/credits/transactions?limit={limit}{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", token), ct);

    public Task<ApiResult<CreditAdjusted>> AdjustCreditsAsync(string token, string userId, CreditAdjustment adjustment, CancellationToken ct = default) =>
        SendAsync<CreditAdjusted>(Request(HttpMethod.Post, $"/api/admin/credits/{Uri.EscapeDataString(userId)}", token, adjustment), ct);

    public Task<ApiResult<ImageDetail>> GetAsync(string token, string id, CancellationToken ct = default) =>
        SendAsync<ImageDetail>(Request(HttpMethod.Get, $"/api/images/{Uri.EscapeDataString(id)}", token), ct);

    public Task<ApiResult<Upload>> ReprocessAsync(string token, string id, bool enhance, CancellationToken ct = default) =>
        SendAsync<Upload>(Request(HttpMethod.Post, $"/api/images/{Uri.EscapeDataString(id)}/reprocess", token, new { enhance }), ct);

    public Task<ApiResult<NoContent>> DeleteAsync(string token, string id, CancellationToken ct = default) =>
        SendAsync<NoContent>(Request(HttpMethod.Delete, $"/api/images/{Uri.EscapeDataString(id)}", token), ct);

    public Task<ApiResult<DirectUpload>> StartDirectUploadAsync(string token, DirectUploadRequest upload, CancellationToken ct = default) =>
        SendAsync<DirectUpload>(Request(HttpMethod.Post, "/api/images/uploads", token, upload), ct);

    public Task<ApiResult<Upload>> CompleteDirectUploadAsync(string token, string id, CancellationToken ct = default) =>
        SendAsync<Upload>(Request(HttpMethod.Post, $"/api/images/{Uri.EscapeDataString(id)}/complete", token), ct);

    /// <summary>Streams one file to <c>POST /api/images</c> as multipart, without buffering it.</summary>
    public Task<ApiResult<Upload>> UploadAsync(string token, Stream file, string fileName, string contentType, long? length, bool enhance, CancellationToken ct = default)
    {
        var body = new StreamContent(file);
        body.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var type) ? type : new MediaTypeHeaderValue("application/octet-stream");
        if (length is { } size)
        {
            body.Headers.ContentLength = size;
        }

        var form = new MultipartFormDataContent { { body, "file", fileName }, { new StringContent(enhance ? "true" : "false"), "enhance" } };
        var request = Request(HttpMethod.Post, "/api/images", token);
        request.Content = form;
        return SendAsync<Upload>(request, ct);
    }

    /// <summary>
    /// Asks jobs where a variant's bytes are (<c>/api/images/{id}/content/{preset}</c>): a redirect to a pre-signed
    /// URL, or the bytes themselves. The caller owns the response.
    /// </summary>
    public async Task<HttpResponseMessage?> GetContentAsync(string token, string id, string preset, string? format, bool enhanced, string? accept, CancellationToken ct = default)
    {
        var path = $"/api/images/{Uri.EscapeDataString(id)}/content/{Uri.EscapeDataString(preset)}?enhanced={(enhanced ? "true" : "false")}";
        if (format is not null)
        {
            path += "&format=" + Uri.EscapeDataString(format);
        }

        using var request = Request(HttpMethod.Get, path, token);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        try
        {
            return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
