using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stox.Auth.Tokens;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Gateway;

/// <summary>
/// A real HTTP server that stands in for auth, jobs and the frontend behind a real gateway: it publishes a JWKS for
/// tokens the test signs, answers slowly when asked (<c>X-Test-Delay-Ms</c>), streams server-sent events at
/// <c>/api/images/events</c> and notes when a stream's client went away, and echoes what reached it.
/// </summary>
public sealed class DestinationStub : IAsyncDisposable
{
    public const string DelayHeader = "X-Test-Delay-Ms";
    public const string KeyId = "edge-test-key";
    public static readonly TimeSpan EventInterval = TimeSpan.FromMilliseconds(400);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _streamsEnded = new();

    private DestinationStub(WebApplication app) => _app = app;

    public RSA SigningKey { get; } = RSA.Create(2048);

    public string Url { get; private set; } = string.Empty;

    public static async Task<DestinationStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Uploads larger than Kestrel's default 30 MB must reach it: the gateway's limit is the one under test.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var stub = new DestinationStub(app);

        app.MapGet("/alive", () => "ok");
        app.MapGet("/.well-known/jwks.json", () => new PublishedKeySet([PublishedKey.FromRsa(KeyId, stub.SigningKey)]));
        app.MapGet("/api/images/events", stub.StreamEventsAsync);
        app.Map("/{**path}", (Delegate)EchoAsync);
        await app.StartAsync();
        stub.Url = app.ListeningAddress();
        return stub;
    }

    /// <summary>Completes when the event stream opened with <c>?probe=</c><paramref name="probe"/> saw its client go away.</summary>
    public Task StreamEnded(string probe) => _streamsEnded.GetOrAdd(probe, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        SigningKey.Dispose();
    }

    private async Task StreamEventsAsync(HttpContext context)
    {
        var probe = context.Request.Query["probe"].ToString();
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            for (var id = 1; ; id++)
            {
                await context.Response.WriteAsync($"id: {id}\nevent: image\ndata: {{\"n\":{id}}}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(EventInterval, context.RequestAborted);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            _streamsEnded.GetOrAdd(probe, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private static async Task<IResult> EchoAsync(HttpContext context)
    {
        var bytes = 0L;
        var buffer = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            bytes += read;
        }

        if (int.TryParse(context.Request.Headers[DelayHeader], CultureInfo.InvariantCulture, out var delay))
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        var headers = context.Request.Headers;
        return TypedResults.Ok(new Echo(
            context.Request.Path.Value ?? "",
            bytes,
            headers["X-Forwarded-For"].ToString(),
            headers["X-Stox-User-Id"].ToString(),
            headers["traceparent"].ToString(),
            headers["X-Request-Id"].ToString()));
    }

    /// <summary>What reached the service: the path, the body's size and the headers the edge is responsible for.</summary>
    public sealed record Echo(string Path, long Bytes, string ForwardedFor, string UserId, string TraceParent, string RequestId);
}
