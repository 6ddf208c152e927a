using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Stox.ServiceDefaults;
using Stox.ServiceDefaults.Health;
using Stox.ServiceDefaults.OpenApi;
using Stox.ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Stox service shares, as in Aspire's ServiceDefaults template: OpenTelemetry, health endpoints,
/// service discovery (Microsoft.Extensions.ServiceDiscovery), the standard resilience handler
/// (Microsoft.Extensions.Http.Resilience) on every HttpClient; plus Stox's ProblemDetails and OpenAPI error shapes.
/// </summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Resilience outside discovery: every retry resolves the service again and may reach another replica.
            // Only requests that are safe to repeat are retried (a POST may have taken effect before it failed).
            http.AddStandardResilienceHandler(resilience => resilience.Retry.DisableForUnsafeHttpMethods());
            http.AddServiceDiscovery();
        });
        builder.Services.AddProblemDetails();
        // Each service describes its own endpoints; the gateway aggregates them into one public document.
        builder.Services.AddOpenApi(options => options.AddProblemDetailsResponses());
        builder.Services.AddTransient<IStartupFilter, ServiceDefaultsStartupFilter>();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (every check must pass), <c>/alive</c> (only checks tagged "live") and the service's
    /// OpenAPI document at <c>/openapi/v1.json</c>.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapHealthChecks(HealthEndpoints.HealthPath, new() { ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks(HealthEndpoints.AlivePath, new()
        {
            Predicate = check => check.Tags.Contains("live"),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        return app;
    }
}
