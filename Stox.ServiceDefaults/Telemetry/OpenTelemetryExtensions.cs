using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;

namespace Stox.ServiceDefaults.Telemetry;

/// <summary>
/// Which activity sources and meters a service exports. The ASP.NET Core and HttpClient instrumentation
/// packages are not available here, so the built-in sources and meters are listened to by name.
/// </summary>
public sealed class TelemetrySourcesOptions
{
    public HashSet<string> ActivitySources { get; } = new(StringComparer.Ordinal) { "Microsoft.AspNetCore", "System.Net.Http" };

    public HashSet<string> Meters { get; } = new(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Net.Http",
        "System.Runtime",
    };
}

public static class OpenTelemetryExtensions
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var exportToOtlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            if (exportToOtlp)
            {
                logging.AddOtlpExporter();
            }
        });

        var appName = builder.Environment.ApplicationName;
        builder.Services.AddTelemetrySources(sources =>
        {
            sources.ActivitySources.Add(appName);
            sources.Meters.Add(appName);
        });
        builder.Services.AddHostedService<TelemetryProviders>();
        return builder;
    }

    /// <summary>Adds activity sources or meters to export, e.g. from a resource client registration.</summary>
    public static IServiceCollection AddTelemetrySources(this IServiceCollection services, Action<TelemetrySourcesOptions> configure)
    {
        services.Configure(configure);
        return services;
    }

    internal static bool IsOtlpConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
}
