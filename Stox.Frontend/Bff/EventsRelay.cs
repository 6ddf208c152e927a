using System.Net;
using System.Net.Http.Headers;
using Stox.Frontend.Sessions;

namespace Stox.Frontend.Bff;

/// <summary>
/// Relays jobs' server-sent events (<c>GET /api/images/events</c>) to the browser, so the gallery's badges change by
/// themselves. The browser's EventSource reconnects with Last-Event-ID, which is passed on, so nothing is missed
/// when the stream is cut (a proxy timeout, a token that expired, a jobs replica that went away).
/// </summary>
public static class EventsRelay
{
    public const string ClientName = "jobs-events";

    public static async Task RelayAsync(HttpContext context, SessionManager sessions, IHttpClientFactory clients, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(EventsRelay));
        var ct = context.RequestAborted;
        var session = await sessions.GetCurrentAsync(context);
        if (session is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var client = clients.CreateClient(ClientName);
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        HttpResponseMessage? upstream = null;
        try
        {
            upstream = await OpenAsync(client, session.AccessToken, lastEventId, ct);
            if (upstream.StatusCode == HttpStatusCode.Unauthorized && await sessions.RefreshAfterRejectionAsync(context, session.AccessToken) is { } fresh)
            {
                upstream.Dispose();
                upstream = await OpenAsync(client, fresh.AccessToken, lastEventId, ct);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The images event stream is not available");
        }

        using (upstream)
        {
            if (upstream is null || !upstream.IsSuccessStatusCode)
            {
                // EventSource gives up on an error status; 503 with a retry hint keeps it calm but it will retry on reload.
                context.Response.StatusCode = upstream?.StatusCode == HttpStatusCode.Unauthorized ? 401 : StatusCodes.Status503ServiceUnavailable;
                return;
            }

            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache, no-transform";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            await context.Response.WriteAsync("retry: 2000\n\n", ct);
            await context.Response.Body.FlushAsync(ct);

            var buffer = new byte[8192];
            try
            {
                await using var stream = await upstream.Content.ReadAsStreamAsync(ct);
                int read;
                while ((read = await stream.ReadAsync(buffer, ct)) > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                    await context.Response.Body.FlushAsync(ct);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
            {
                // The browser left, or jobs closed the stream: the browser reconnects by itself.
            }
        }
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient client, string token, string lastEventId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/images/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (!string.IsNullOrEmpty(lastEventId))
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }
}
