using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Stox.ServiceDefaults.Telemetry;

/// <summary>
/// Owns the tracer and meter providers for the life of the host (the role OpenTelemetry.Extensions.Hosting
/// plays, which is not available here). The OTLP exporter reads OTEL_EXPORTER_OTLP_* itself.
/// </summary>
internal sealed class TelemetryProviders(IOptions<TelemetrySourcesOptions> options, IConfiguration configuration) : IHostedService, IDisposable
{
    private TracerProvider? _tracerProvider;
    private MeterProvider? _meterProvider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var sources = options.Value;
        var exportToOtlp = OpenTelemetryExtensions.IsOtlpConfigured(configuration);
        var resource = ResourceBuilder.CreateDefault();

        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource([.. sources.ActivitySources]);
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter([.. sources.Meters]);
        if (exportToOtlp)
        {
            tracing.AddOtlpExporter();
            metrics.AddOtlpExporter();
        }

        _tracerProvider = tracing.Build();
        _meterProvider = metrics.Build();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Flush what is buffered so the last spans of a stopping service are not lost.
        _tracerProvider?.ForceFlush(2000);
        _meterProvider?.ForceFlush(2000);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _tracerProvider?.Dispose();
        _meterProvider?.Dispose();
    }
}
