using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Stox.Hosting.Dashboard.Pages;
using Stox.Hosting.Orchestration;

namespace Stox.Hosting.Dashboard;

/// <summary>The dashboard's routes. Pages answer their live region alone when asked with <c>?partial=1</c>.</summary>
internal static class DashboardEndpoints
{
    private static readonly string[] Commands = ["start", "stop", "restart"];

    public static void Map(WebApplication app, DashboardServer server)
    {
        app.MapGet("/assets/dashboard.css", () => Results.Text(Assets.Css, "text/css; charset=utf-8"));
        app.MapGet("/assets/dashboard.js", () => Results.Text(Assets.Js, "text/javascript; charset=utf-8"));

        app.MapGet("/", (HttpRequest r) => Page(r, () => ResourcesPage.Render(server), () => ResourcesPage.Table(server)));
        app.MapGet("/console", (string? resource) => Page(null, () => ConsolePage.Render(server, resource), null));
        app.MapGet("/logs", (HttpRequest r, string? resource, string? level, string? q) =>
            Page(r, () => LogsPage.Render(server, resource, level, q), () => LogsPage.Table(server, resource, level, q)));
        app.MapGet("/traces", (HttpRequest r, string? resource) => Page(r, () => TracesPage.RenderList(server, resource), () => TracesPage.List(server, resource)));
        app.MapGet("/traces/{traceId}", (HttpRequest r, string traceId) =>
            Page(r, () => TracesPage.RenderTrace(server, traceId), () => TracesPage.Waterfall(server, traceId)));
        app.MapGet("/metrics", (HttpRequest r, string? resource) => Page(r, () => MetricsPage.Render(server, resource), () => MetricsPage.Body(server, resource)));

        app.MapPost("/api/resources/{name}/{command}", (string name, string command) =>
        {
            if (!Commands.Contains(command))
            {
                return Results.Problem(statusCode: 404, title: "Unknown command", detail: $"'{command}' is not one of start, stop, restart.");
            }

            if (server.Context.Notifications.Get(name) is null)
            {
                return Results.Problem(statusCode: 404, title: "Unknown resource", detail: $"There is no resource named '{name}'.");
            }

            return server.TryRunCommand(name, command)
                ? Results.Accepted()
                : Results.Problem(statusCode: 409, title: "Busy", detail: $"A command for '{name}' is still running, or commands are not available.");
        });

        app.MapGet("/api/resources", () => Results.Json(server.Context.Notifications.Snapshots));
        app.MapGet("/api/events", (HttpContext http) => StreamEventsAsync(http, server));
        app.MapGet("/api/console/stream", (HttpContext http, string resource) => StreamConsoleAsync(http, server, resource));
    }

    private static IResult Page(HttpRequest? request, Func<string> full, Func<string>? partial) =>
        Results.Content(
            request is not null && partial is not null && request.Query["partial"] == "1" ? partial() : full(),
            "text/html; charset=utf-8");

    /// <summary>Server-sent events telling pages what changed: resource states at once, telemetry at most once a second.</summary>
    private static async Task StreamEventsAsync(HttpContext http, DashboardServer server)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnResource(ResourceSnapshot _) => channel.Writer.TryWrite("resources");
        var lastTelemetry = DateTimeOffset.MinValue;
        var telemetryPending = 0;
        void OnTelemetry()
        {
            if (Interlocked.Exchange(ref telemetryPending, 1) == 0)
            {
                channel.Writer.TryWrite("telemetry");
            }
        }

        server.Context.Notifications.Changed += OnResource;
        server.Telemetry.Changed += OnTelemetry;
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, server.Stopping);
            await StartStreamAsync(http, stop.Token);
            await foreach (var topic in channel.Reader.ReadAllAsync(stop.Token))
            {
                if (topic == "telemetry")
                {
                    // Throttle: a busy system exports many batches a second.
                    var wait = lastTelemetry + TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, stop.Token);
                    }

                    Volatile.Write(ref telemetryPending, 0);
                    lastTelemetry = DateTimeOffset.UtcNow;
                }

                await http.Response.WriteAsync($"event: {topic}\ndata: {server.Telemetry.Version}\n\n", stop.Token);
                await http.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed or the AppHost is stopping.
        }
        finally
        {
            server.Context.Notifications.Changed -= OnResource;
            server.Telemetry.Changed -= OnTelemetry;
        }
    }

    private static async Task StreamConsoleAsync(HttpContext http, DashboardServer server, string resource)
    {
        var channel = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(2000) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnLine(LogLine line)
        {
            if (line.Resource == resource || ConsolePage.IsReplicaOf(line.Resource, resource))
            {
                channel.Writer.TryWrite(line);
            }
        }

        server.Context.Logs.LineWritten += OnLine;
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, server.Stopping);
            await StartStreamAsync(http, stop.Token);
            await foreach (var line in channel.Reader.ReadAllAsync(stop.Token))
            {
                // One event per line: the rendered HTML has no newline.
                await http.Response.WriteAsync("data: " + ConsolePage.Line(line).ReplaceLineEndings(" ") + "\n\n", stop.Token);
                if (channel.Reader.Count == 0)
                {
                    await http.Response.Body.FlushAsync(stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed or the AppHost is stopping.
        }
        finally
        {
            server.Context.Logs.LineWritten -= OnLine;
        }
    }

    private static async Task StartStreamAsync(HttpContext http, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.WriteAsync(": connected\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }
}
