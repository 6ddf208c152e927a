using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Stox.Tests.Jobs;

namespace Stox.Tests.Generations;

/// <summary>A registered user asking the whole system for pictures and looking at their credits.</summary>
internal static class GenerationClient
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GenerateAsync(this ImagesClient user, object request)
    {
        using var response = await user.Http.PostAsJsonAsync("/api/generations", request);
        return (response.StatusCode, await BodyAsync(response));
    }

    /// <summary>Asks for pictures and returns the 202 body, failing the test on anything else.</summary>
    public static async Task<JsonElement> GenerateAcceptedAsync(this ImagesClient user, object request)
    {
        var (status, body) = await user.GenerateAsync(request);
        Assert.True(status == HttpStatusCode.Accepted, $"{(int)status}: {body}");
        return body;
    }

    public static IReadOnlyList<Guid> ImageIds(this JsonElement accepted) =>
        [.. accepted.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    /// <summary>Polls the generation until the provider's part is over (complete, partial or failed).</summary>
    public static async Task<JsonElement> WaitForGenerationAsync(this ImagesClient user, Guid generationId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var generation = await user.GetJsonAsync($"/api/generations/{generationId}");
            if (generation.GetProperty("status").GetString() is "complete" or "partial" or "failed")
            {
                return generation;
            }

            await Task.Delay(200, cts.Token);
        }
    }

    public static async Task<int> BalanceAsync(this ImagesClient user) =>
        (await user.GetJsonAsync("/api/credits")).GetProperty("balance").GetInt32();

    /// <summary>Every ledger entry of the user, newest first, read page by page.</summary>
    public static async Task<List<JsonElement>> TransactionsAsync(this ImagesClient user, int pageSize = 100)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await user.GetJsonAsync($"/api/credits/transactions?limit={pageSize}{(cursor is null ? "" : "&cursor=" + cursor)}");
            all.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return all;
    }

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
