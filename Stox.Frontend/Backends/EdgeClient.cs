namespace Stox.Frontend.Backends;

/// <summary>
/// Calls the web app makes through the gateway (<c>http://gateway</c>) instead of straight to a service, with the
/// user's token, so that the edge's limits hold for the web app as they do for API clients.
/// </summary>
public sealed class EdgeClient(HttpClient http, ILogger<EdgeClient> logger) : ServiceClient(http, logger, "generation")
{
    /// <summary><c>POST /api/generations</c>, under the gateway's per-user generation limit (429 with Retry-After).</summary>
    public Task<ApiResult<GenerationAccepted>> GenerateAsync(string token, GenerationRequest generation, CancellationToken ct = default) =>
        SendAsync<GenerationAccepted>(Request(HttpMethod.Post, "/api/generations", token, generation), ct);
}
