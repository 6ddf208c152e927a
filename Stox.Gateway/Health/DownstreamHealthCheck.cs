using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stox.Gateway.Health;

/// <summary>
/// The gateway is ready only when it can reach the services it routes to, through service discovery
/// (<c>http://{service}</c>): this is what proves the wiring between services.
/// </summary>
internal sealed class DownstreamHealthCheck(IHttpClientFactory httpClientFactory, string service) : IHealthCheck
{
    public const string HttpClientName = "downstream-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        try
        {
            using var response = await client.GetAsync(new Uri($"http://{service}/alive"), cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"{service} is reachable.")
                : HealthCheckResult.Unhealthy($"{service} answered {(int)response.StatusCode}.");
        }
        catch (HttpRequestException ex)
        {
            return HealthCheckResult.Unhealthy($"{service} is not reachable.", ex);
        }
    }
}

internal static class DownstreamHealthCheckExtensions
{
    public static IHostApplicationBuilder AddDownstreamHealthChecks(this IHostApplicationBuilder builder, params string[] services)
    {
        builder.Services.AddHttpClient(DownstreamHealthCheck.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        var checks = builder.Services.AddHealthChecks();
        foreach (var service in services)
        {
            checks.Add(new HealthCheckRegistration(
                $"downstream-{service}",
                sp => new DownstreamHealthCheck(sp.GetRequiredService<IHttpClientFactory>(), service),
                failureStatus: null,
                tags: ["downstream"]));
        }

        return builder;
    }
}
