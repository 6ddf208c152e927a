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

    private static async Task<IResult> PageAsync(HttpContext context, string? cursor, string? status, UserApi api, JobsClient jobs, IOptions<FrontendOptions> options)
    {
        var result = await api.CallAsync(token => jobs.ListAsync(token, cursor, options.Value.GalleryPageSize, StatusFilter(status), context.RequestAborted));
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

    private static RazorComponentResult<GalleryCards> Render(IReadOnlyList<CardModel> cards) =>
        new(new Dictionary<string, object?> { [nameof(GalleryCards.Cards)] = cards }) { PreventStreamingRendering = true };
}
