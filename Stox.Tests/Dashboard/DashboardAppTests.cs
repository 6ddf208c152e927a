using Stox.Hosting;
using Stox.Hosting.Testing;

namespace Stox.Tests.Dashboard;

/// <summary>The dashboard inside a real app: it becomes every project's OTLP endpoint, over either protocol.</summary>
public sealed class DashboardAppTests
{
    [Fact]
    public async Task Projects_export_to_the_dashboard_over_http_protobuf_too()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(configureOptions: o =>
        {
            o.EnableDashboard = true;
            o.OtlpProtocol = "http/protobuf";
        });
        builder.KeepOnly("frontend");
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.StartAsync(timeout.Token);
        var dashboard = app.Dashboard!;

        using (var frontend = app.CreateHttpClient("frontend"))
        {
            using var response = await frontend.GetAsync(new Uri("/", UriKind.Relative), timeout.Token);
            response.EnsureSuccessStatusCode();
        }

        while (!dashboard.Telemetry.GetSpans().Any(s => s.Source.Service == "frontend" && s.Name.StartsWith("GET", StringComparison.Ordinal)))
        {
            await Task.Delay(200, timeout.Token);
        }

        var environment = app.ResourceEnvironments.Get("frontend").Single().Value.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(dashboard.OtlpHttpEndpoint, environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.StartsWith("frontend-0-", dashboard.Telemetry.GetSpans().First(s => s.Source.Service == "frontend").Source.Instance, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_OTLP_endpoint_is_kept_and_the_dashboard_still_shows_resources()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(configureOptions: o =>
        {
            o.EnableDashboard = true;
            o.OtlpEndpoint = "http://localhost:4317";
        });
        builder.KeepOnly("frontend");
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.StartAsync(timeout.Token);

        var environment = app.ResourceEnvironments.Get("frontend").Single().Value.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("http://localhost:4317", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() });
        await client.GetAsync(new Uri(app.Dashboard!.LoginUrl), timeout.Token);
        var html = await client.GetStringAsync(app.Dashboard.Url, timeout.Token);
        Assert.Contains("data-resource=\"frontend\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_testing_builder_leaves_the_dashboard_off_by_default()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();

        Assert.False(builder.Options.EnableDashboard);
    }
}
