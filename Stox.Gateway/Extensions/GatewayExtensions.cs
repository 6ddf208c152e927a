using Microsoft.AspNetCore.HttpOverrides;
using Stox.Gateway.Edge;
using Stox.Gateway.OpenApi;
using Stox.Gateway.RateLimiting;
using Stox.Gateway.Routing;
using Yarp.ReverseProxy.Transforms;

namespace Stox.Gateway.Extensions;

internal static class GatewayExtensions
{
    public const string CorsPolicy = "configured-origins";

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GatewayOptions>()
            .Bind(builder.Configuration.GetSection(GatewayOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();

        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<RedisFixedWindowLimiter>();
        services.AddSingleton<OpenApiAggregator>();
        services.AddSingleton(TimeProvider.System);
        services.AddHttpClient(OpenApiAggregator.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        services.AddRequestTimeouts();
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(options.AllowedOrigins)
            .AllowAnyHeader()
            .AllowAnyMethod()
            .AllowCredentials()
            .WithExposedHeaders(RequestIdMiddleware.HeaderName, "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After", "Location")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));

        // Only listed proxies (and loopback) may say who the client is; everyone else's X-Forwarded-For is ignored.
        builder.TrustForwardedHeadersFrom(
            options.KnownProxies,
            ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost);

        var (routes, clusters) = ProxyConfiguration.Build(options);
        builder.AddStoxJwtAuthentication();
        services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(transforms => transforms.AddRequestTransform(IdentityHeaders.ForwardAsync));
        return builder;
    }

    public static WebApplication UseGateway(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<StripIdentityHeadersMiddleware>();
        app.UseCors(CorsPolicy);
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "api/docs";
            ui.DocumentTitle = "Stox API";
            ui.SwaggerEndpoint("/api/openapi.json", "Stox API v1");
        });
        app.UseRouting();
        app.UseMiddleware<RequestMetricsMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<RateLimitingMiddleware>();
        app.UseRequestTimeouts();

        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ProxyProblemsMiddleware.InvokeAsync);
            proxy.Use(RetryOtherDestinationMiddleware.InvokeAsync);
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        app.MapGet("/api/openapi.json", async (OpenApiAggregator aggregator, CancellationToken cancellationToken) =>
            TypedResults.Text(await aggregator.GetDocumentAsync(cancellationToken), "application/json"));
        // An /api path no route claims is the gateway's own 404, never the web app's.
        app.Map("/api/{**rest}", EdgeProblems.NotFound);
        return app;
    }
}
