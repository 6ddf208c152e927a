using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Stox.ServiceDefaults.Health;

namespace Stox.ServiceDefaults.Telemetry;

public static class OpenTelemetryExtensions
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// OpenTelemetry as in Aspire's ServiceDefaults: logs, the ASP.NET Core, HttpClient and runtime instrumentation,
    /// the service's own source and meter (named after the application, e.g. <c>Stox.Jobs</c>), and the OTLP exporter
    /// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (it reads the other OTEL_* variables itself). Health probes are
    /// kept out of traces, on the way in and on the way out.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var appName = builder.Environment.ApplicationName;
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(appName))
            .WithTracing(tracing => tracing
                .AddSource(appName)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !HealthEndpoints.IsHealthRequest(context.Request.Path))
                .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = request =>
                    request.RequestUri is not { } uri || !HealthEndpoints.IsHealthRequest(new PathString(uri.AbsolutePath))));

        if (IsOtlpConfigured(builder.Configuration))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    internal static bool IsOtlpConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
}
