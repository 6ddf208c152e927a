using System.Net;

namespace Stox.Hosting.Orchestration;

/// <summary>One HTTP GET used to see whether a resource answers: its status, or null when nothing answered in time.</summary>
internal static class HttpProbe
{
    private static readonly HttpClient Client = new() { Timeout = Timeout.InfiniteTimeSpan };

    public static async Task<HttpStatusCode?> GetStatusAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            using var response = await Client.GetAsync(url, attempt.Token);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
