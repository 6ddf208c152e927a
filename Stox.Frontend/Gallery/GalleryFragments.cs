using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stox.Frontend.Backends;
using Stox.Frontend.Sessions;

namespace Stox.Frontend.Gallery;

/// <summary>Tiles rendered on the server for the gallery's script: the next page (infinite scroll) and one tile that changed.</summary>
public static class GalleryFragments
{
    public const string NextCursorHeader = "X-Next-Cursor";

    public static RouteGroupBuilder MapGalleryFragments(this RouteGroupBuilder bff)
    {
        bff.MapGet("/gallery/cards", PageAsync);
        bff.MapGet("/gallery/cards/{id}", OneAsync);
        return bff;
    }

    private static async Task<IResult> PageAsync(HttpContext context, string? cursor, string? status, string? source, UserApi api, JobsClient jobs, IOptions<FrontendOptions> options)
    {
        var result = await api.CallAsync(token => jobs.ListAsync(token, cursor, options.Value.GalleryPageSize, StatusFilter(status), SourceFilter(source), context.RequestAborted));
        if (!result.Succeeded)
        {
            return TypedResults.Problem(statusCode: result.Problem!.Status, detail: result.Problem.Message);
        }

        if (result.Value!.NextCursor is { } next)
        {
            context.Response.Headers[NextCursorHeader] = next;
        }

        return Render(result.Value.Items.Select(CardModel.From).ToList());
    }

    private static async Task<IResult> OneAsync(HttpContext context, string id, UserApi api, JobsClient jobs)
    {
        var result = await api.CallAsync(token => jobs.GetAsync(token, id, context.RequestAborted));
        return result.Succeeded
            ? Render([CardModel.From(result.Value!)])
            : TypedResults.Problem(statusCode: result.Problem!.Status, detail: result.Problem.Message);
    }

    public static string? StatusFilter(string? status) => ImageStatus.All.Contains(status) ? status : null;

    public static string? SourceFilter(string? source) => ImageSource.All.Contains(source) ? source : null;

    /// <summary>The gallery's address for a status and a source filter (either may be null) and a cursor.</summary>
    public static string Url(string? status, string? source, string? cursor = null)
    {
        var query = new List<string>();
        if (cursor is not null)
        {
            query.Add("cursor=" + Uri.EscapeDataString(cursor));
        }

        if (status is not null)
        {
            query.Add("status=" + status);
        }

        if (source is not null)
        {
            query.Add("source=" + source);
        }

        return query.Count == 0 ? "/" : "/?" + string.Join("&", query);
    }

    private static RazorComponentResult<GalleryCards> Render(IReadOnlyList<CardModel> cards) =>
        new(new Dictionary<string, object?> { [nameof(GalleryCards.Cards)] = cards }) { PreventStreamingRendering = true };
}
