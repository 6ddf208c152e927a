using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stox.Jobs.Generations.Providers;

namespace Stox.Tests.Generations;

/// <summary>
/// A host wired as a service would be (<see cref="ImageProviderExtensions.AddImageProvider"/> over configuration keys),
/// recording every log line at Trace level and every tag, event and status of every activity, so tests can show the key never leaks.
/// </summary>
public sealed class ProviderTestHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<string> _traces = new();

    private ProviderTestHost(IHost host, RecordingLoggerProvider logs, ActivityListener listener)
    {
        _host = host;
        Logs = logs;
        _listener = listener;
    }

    public RecordingLoggerProvider Logs { get; }

    public IServiceProvider Services => _host.Services;

    public ProviderCatalog Catalog => _host.Services.GetRequiredService<ProviderCatalog>();

    public IImageProvider Provider => Catalog.Current ?? throw new InvalidOperationException("Generation is off.");

    /// <summary>Everything the activities (traces) carried: names, tags, events, statuses.</summary>
    public IReadOnlyList<string> Traces => [.. _traces];

    /// <summary>Settings as under <c>Generation:</c> (e.g. <c>["Provider"] = "stability"</c>); tests default to fast retries.</summary>
    public static ProviderTestHost Create(IDictionary<string, string?> generation, bool serviceDefaults = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Generation:RetryDelay"] = "00:00:00.050",
            ["Generation:RequestTimeout"] = "00:00:10",
        };
        foreach (var (key, value) in generation)
        {
            settings[$"Generation:{key}"] = value;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        var logs = new RecordingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        if (serviceDefaults)
        {
            builder.AddServiceDefaults();
        }

        builder.AddImageProvider();
        var host = builder.Build();

        ProviderTestHost? created = null;
        var listener = new ActivityListener
        {
            // The client side only: HttpClient (System.Net.Http) and Polly; other tests in this process keep their own sampling.
            ShouldListenTo = source => source.Name.StartsWith("System.Net", StringComparison.Ordinal) || source.Name.StartsWith("Polly", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => created?.RecordActivity(activity),
        };
        created = new ProviderTestHost(host, logs, listener);
        ActivitySource.AddActivityListener(listener);
        return created;
    }

    /// <summary>A provider at the stand-in with its key, plus whatever settings the test adds.</summary>
    public static ProviderTestHost For(ProviderStandIn standIn, string provider, params (string Key, string? Value)[] settings)
    {
        var generation = new Dictionary<string, string?>
        {
            ["Provider"] = provider,
            ["Endpoint"] = provider == GenerationProviderOptions.OpenAi ? standIn.OpenAiBaseUrl : standIn.StabilityBaseUrl,
            ["ApiKey"] = standIn.ApiKey,
        };
        foreach (var (key, value) in settings)
        {
            generation[key] = value;
        }

        return Create(generation);
    }

    public Task StartAsync() => _host.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }

    private void RecordActivity(Activity activity)
    {
        _traces.Enqueue(activity.DisplayName);
        _traces.Enqueue(activity.StatusDescription ?? "");
        foreach (var tag in activity.TagObjects)
        {
            _traces.Enqueue($"{tag.Key}={tag.Value}");
        }

        foreach (var e in activity.Events)
        {
            _traces.Enqueue(e.Name);
            foreach (var tag in e.Tags)
            {
                _traces.Enqueue($"{tag.Key}={tag.Value}");
            }
        }
    }
}

/// <summary>Keeps every formatted log message, its structured values and its exception text.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category} [{eventId.Name}] {formatter(state, exception)} | {values} | {exception}");
        }
    }
}
