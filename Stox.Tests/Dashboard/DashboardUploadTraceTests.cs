using System.Diagnostics;
using Stox.Hosting.Testing;
using Stox.Tests.Jobs;

namespace Stox.Tests.Dashboard;

/// <summary>The dashboard of the whole system shows an upload as one trace across gateway, jobs, the broker and processing.</summary>
public sealed class DashboardUploadTraceTests
{
    [Fact]
    public async Task An_uploads_trace_in_the_dashboard_has_spans_from_gateway_jobs_and_processing()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(configureOptions: o => o.EnableDashboard = true);
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await app.StartAsync(timeout.Token);

        using var user = await ImagesClient.RegisterAsync(app);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = ImagesClient.Form(("traced.jpg", ImagesClient.SmallJpeg)) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using (var response = await user.Http.SendAsync(request, timeout.Token))
        {
            response.EnsureSuccessStatusCode();
        }

        var dashboard = app.Dashboard!;
        string[] expected = ["gateway", "jobs", "processing"];
        while (!expected.All(service => dashboard.Telemetry.GetTrace(traceId).Any(s => s.Source.Service == service)))
        {
            await Task.Delay(200, timeout.Token);
        }

        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() });
        await browser.GetAsync(new Uri(dashboard.LoginUrl), timeout.Token);
        var page = await browser.GetStringAsync(new Uri(dashboard.Url, $"/traces/{traceId}"), timeout.Token);
        Assert.All(expected, service => Assert.Contains(service, page, StringComparison.Ordinal));
        Assert.Contains(traceId, page, StringComparison.Ordinal);
    }
}
