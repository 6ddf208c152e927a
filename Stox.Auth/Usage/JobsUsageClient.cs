using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace Stox.Auth.Usage;

/// <summary>What jobs answers at <c>GET /internal/usage/{userId}</c> (see Stox.Auth/README.md, "Usage contract").</summary>
public sealed record JobsUsage(long Images, long BytesStored, long UploadsThisMonth);

/// <summary>
/// Reads a user's usage from the jobs service over HTTP (<c>http://jobs</c>, service discovery + resilience).
/// Any failure (jobs down, not yet implementing the endpoint, too slow) gives null: the caller answers without
/// counters rather than failing the account page.
/// </summary>
public sealed partial class JobsUsageClient(HttpClient http, IOptions<AuthOptions> options, ILogger<JobsUsageClient> logger)
{
    public async Task<JobsUsage?> GetUsageAsync(Guid userId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.UsageTimeout);
        try
        {
            using var response = await http.GetAsync(new Uri($"/internal/usage/{userId}", UriKind.Relative), timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogUnavailable(logger, (int)response.StatusCode, null);
                return null;
            }

            return await response.Content.ReadFromJsonAsync<JobsUsage>(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
            && ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or InvalidOperationException)
        {
            LogUnavailable(logger, null, ex);
            return null;
        }
    }

    [LoggerMessage(EventId = 500, EventName = "UsageUnavailable", Level = LogLevel.Warning, Message = "Usage from jobs is unavailable (status {Status})")]
    private static partial void LogUnavailable(ILogger logger, int? status, Exception? exception);
}
