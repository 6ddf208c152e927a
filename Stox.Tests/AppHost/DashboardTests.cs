using System.Net.Http.Json;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using Stox.Tests.Frontend;
using Stox.Tests.Infrastructure;
using Stox.Tests.Jobs;
using static Microsoft.Playwright.Assertions;

namespace Stox.Tests.AppHost;

/// <summary>
/// Aspire's own dashboard, started by the AppHost, receives the services' telemetry: one upload is one trace across
/// gateway, jobs, the RabbitMQ hop and processing, read back through the dashboard's telemetry API. The same system
/// (the AppHost as run, with no generation parameters) also shows generation off, in the API and on the Create page.
/// </summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task An_upload_is_one_trace_in_the_dashboard_across_gateway_jobs_the_broker_and_processing()
    {
        var apiKey = Guid.NewGuid().ToString("N");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(
            [
                $"ASPNETCORE_URLS=http://127.0.0.1:{FreePort()}",
                $"ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
                "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
                $"AppHost:DashboardApiKey={apiKey}",
            ],
            (options, _) => options.DisableDashboard = false);
        builder.WithFreePorts().KeepOnly("gateway", "processing");
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await app.StartAsync(timeout.Token);
        await app.WaitForAllHealthyAsync(timeout.Token);

        using var user = await ImagesClient.RegisterAsync(app);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = ImagesClient.Form(("traced.jpg", ImagesClient.SmallJpeg)) })
        {
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await user.Http.SendAsync(request, timeout.Token);
            response.EnsureSuccessStatusCode();
        }

        // The testing builder moves the dashboard behind a proxy on a random port, as it does every proxied endpoint.
        var dashboard = app.GetEndpoint("aspire-dashboard", "http");
        using var telemetry = new HttpClient { BaseAddress = dashboard };
        telemetry.DefaultRequestHeaders.Add("x-api-key", apiKey);
        using (var anonymous = new HttpClient { BaseAddress = dashboard })
        using (var refused = await anonymous.GetAsync($"/api/telemetry/traces/{traceId}", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        List<TraceSpan> spans;
        string[] services = ["gateway", "jobs", "processing"];
        while (true)
        {
            spans = await TraceAsync(telemetry, traceId, timeout.Token);
            if (services.All(s => spans.Any(span => span.Service == s)) && spans.Any(IsProcessingReceive))
            {
                break;
            }

            await Task.Delay(500, timeout.Token);
        }

        Assert.Contains(spans, span => span.Service == "jobs" && span.Kind == SpanKindProducer);
        Assert.All(spans, span => Assert.Equal(traceId, span.TraceId));

        await AssertGenerationIsOffAsync(app, user);
    }

    /// <summary>The AppHost as run with no generation parameters: generation is off, and says so.</summary>
    private static async Task AssertGenerationIsOffAsync(DistributedApplication app, ImagesClient user)
    {
        using var refused = await user.Http.PostAsJsonAsync("/api/generations", new { prompt = "a lighthouse" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("https://stox.dev/problems/generation-not-configured", problem.RootElement.GetProperty("type").GetString());
        Assert.Contains("not configured", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var options = await user.GetJsonAsync("/api/generations/options");
        Assert.False(options.GetProperty("enabled").GetBoolean());
        Assert.Equal(problem.RootElement.GetProperty("detail").GetString(), options.GetProperty("disabledReason").GetString());

        using var purchase = await user.Http.PostAsync(new Uri("/api/credits/webhooks/stripe", UriKind.Relative), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, purchase.StatusCode);

        await AssertCreatePageIsOffAsync(app, user, options.GetProperty("disabledReason").GetString()!);
    }

    /// <summary>Signed in to the web app as that user, the Create page gives the API's reason and a form that cannot be sent.</summary>
    private static async Task AssertCreatePageIsOffAsync(DistributedApplication app, ImagesClient user, string reason)
    {
        var browser = new BrowserFixture();
        await browser.InitializeAsync();
        try
        {
            await using var context = await browser.NewContextAsync(app.GetEndpoint("gateway"));
            var page = await context.NewPageAsync();
            await BrowserFixture.WithScreenshotOnFailureAsync(page, "create-page-generation-off", async () =>
            {
                await WebApp.SignInAsync(page, user.Email, ImagesClient.Password);
                await WebApp.ExpectGalleryAsync(page);
                await page.GotoAsync("/create");

                await Expect(page.GetByTestId("generation-off")).ToHaveTextAsync(reason);
                await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Generate" })).ToBeDisabledAsync();
                await Expect(page.GetByLabel("Prompt", new() { Exact = true })).ToBeDisabledAsync();
                await Expect(page.GetByLabel("Pictures")).ToBeDisabledAsync();
            });
        }
        finally
        {
            await browser.DisposeAsync();
        }
    }

    private const int SpanKindProducer = 4;

    private const int SpanKindConsumer = 5;

    private static bool IsProcessingReceive(TraceSpan span) => span.Service == "processing" && span.Kind == SpanKindConsumer;

    private sealed record TraceSpan(string Service, string TraceId, string Name, int Kind);

    /// <summary>The dashboard's OTLP JSON for one trace, flattened; empty until the trace has arrived.</summary>
    private static async Task<List<TraceSpan>> TraceAsync(HttpClient telemetry, string traceId, CancellationToken cancellationToken)
    {
        using var response = await telemetry.GetAsync($"/api/telemetry/traces/{traceId}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var spans = new List<TraceSpan>();
        foreach (var resourceSpans in document.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = resourceSpans.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .First(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString()!;
            foreach (var span in resourceSpans.GetProperty("scopeSpans").EnumerateArray().SelectMany(s => s.GetProperty("spans").EnumerateArray()))
            {
                spans.Add(new TraceSpan(service, span.GetProperty("traceId").GetString()!, span.GetProperty("name").GetString()!, span.TryGetProperty("kind", out var kind) ? kind.GetInt32() : 0));
            }
        }

        return spans;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
