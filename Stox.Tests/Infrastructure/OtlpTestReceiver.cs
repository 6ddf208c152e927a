using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Stox.Tests.Infrastructure;

/// <summary>
/// A minimal OTLP/HTTP receiver: it records every export request by signal. Protobuf keeps strings as
/// plain UTF-8, so a service name can be found in the raw body without decoding it.
/// </summary>
public sealed class OtlpTestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _exports = new();

    private OtlpTestReceiver(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = string.Empty;

    public static async Task<OtlpTestReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var receiver = new OtlpTestReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver._exports.Enqueue((signal, body.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.Endpoint = app.ListeningAddress();
        return receiver;
    }

    /// <summary>True when one export of the signal contains every text (e.g. a service name and a path).</summary>
    public bool HasExport(string signal, params string[] texts)
    {
        var needles = texts.Select(Encoding.UTF8.GetBytes).ToList();
        return _exports.Any(e => e.Signal == signal && needles.All(n => e.Body.AsSpan().IndexOf(n) >= 0));
    }

    /// <summary>Waits for a span export of <paramref name="service"/> (by its service.name resource attribute) that mentions <paramref name="text"/>.</summary>
    public Task WaitForSpanFromServiceAsync(string service, string text, TimeSpan timeout) =>
        WaitForSpanFromServiceAsync(service, Encoding.UTF8.GetBytes(text), timeout);

    /// <summary>Waits for a span export of <paramref name="service"/> containing these raw bytes (e.g. a 16-byte trace id).</summary>
    public async Task WaitForSpanFromServiceAsync(string service, byte[] needle, TimeSpan timeout)
    {
        // OTLP protobuf: KeyValue { key = "service.name", value = AnyValue { string_value = service } }.
        var name = Encoding.UTF8.GetBytes(service);
        byte[] serviceName = [.. "service.name"u8, 0x12, (byte)(name.Length + 2), 0x0a, (byte)name.Length, .. name];
        using var cts = new CancellationTokenSource(timeout);
        while (!_exports.Any(e => e.Signal == "traces" && e.Body.AsSpan().IndexOf(serviceName) >= 0 && e.Body.AsSpan().IndexOf(needle) >= 0))
        {
            await Task.Delay(200, cts.Token);
        }
    }

    public async Task WaitForExportAsync(string signal, TimeSpan timeout, params string[] texts)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!HasExport(signal, texts))
        {
            await Task.Delay(200, cts.Token);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
