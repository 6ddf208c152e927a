using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Stox.Hosting;
using Stox.Hosting.Dashboard;
using Stox.Hosting.Dashboard.Otlp.Protocol;

namespace Stox.Tests.Dashboard;

/// <summary>The dashboard's pages and API over plain HTTP: the token, what each page shows, the commands.</summary>
public sealed class DashboardPagesTests : IAsyncLifetime
{
    private readonly List<(string Resource, string Command)> _commands = [];
    private DashboardTestServer _dashboard = null!;

    public async Task InitializeAsync()
    {
        _dashboard = await DashboardTestServer.StartAsync(commands: (name, command, _) =>
        {
            lock (_commands)
            {
                _commands.Add((name, command));
            }

            return Task.CompletedTask;
        });
        _dashboard.Notifications.Register("web", "Project");
        _dashboard.Notifications.Register("cache", "Redis");
        _dashboard.Notifications.Publish("web", s => s with
        {
            State = KnownResourceStates.Running,
            Health = ResourceHealth.Healthy,
            Urls = ["http://localhost:5999"],
            StartedAt = DateTimeOffset.UtcNow.AddMinutes(-3),
            Restarts = 2,
        });
    }

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    [Fact]
    public async Task Pages_need_the_token_and_the_login_link_sets_an_HttpOnly_cookie()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _dashboard.Server.Url };

        using var page = await anonymous.GetAsync(new Uri("/traces", UriKind.Relative));
        using var api = await anonymous.GetAsync(new Uri("/api/resources", UriKind.Relative));
        using var loginPage = await anonymous.GetAsync(new Uri("/login", UriKind.Relative));
        using var wrong = await anonymous.GetAsync(new Uri("/login?t=not-the-token", UriKind.Relative));
        using var right = await anonymous.GetAsync(new Uri(_dashboard.Server.LoginUrl));
        using var form = await anonymous.PostAsync(new Uri("/login?returnUrl=%2Flogs", UriKind.Relative), new FormUrlEncodedContent([new("token", _dashboard.Server.Token)]));

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login?returnUrl=%2Ftraces", page.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains("name=\"token\"", await loginPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        var cookie = Assert.Single(right.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_dashboard.Server.Token, cookie, StringComparison.Ordinal);
        Assert.Equal("/logs", form.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Resources_page_lists_resources_with_state_endpoints_and_masked_environment()
    {
        _dashboard.Environments.Record("web", "web", new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = "Host=localhost;Port=5432;Username=postgres;Password=hunter2;Database=jobsdb",
            ["ConnectionStrings__messaging"] = "amqp://guest:rabbit-secret@localhost:5672",
            ["Parameters__api-key"] = "sk-123",
            ["ASPNETCORE_URLS"] = "http://localhost:5999",
        });
        using var client = await _dashboard.LoggedInClientAsync();

        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains("data-resource=\"web\"", html, StringComparison.Ordinal);
        Assert.Contains("data-resource=\"cache\"", html, StringComparison.Ordinal);
        Assert.Contains(">Running<", html, StringComparison.Ordinal);
        Assert.Contains("href=\"http://localhost:5999\"", html, StringComparison.Ordinal);
        Assert.Contains("Password=******", html, StringComparison.Ordinal);
        Assert.Contains("amqp://guest:******@localhost:5672", html, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", html, StringComparison.Ordinal);
        Assert.DoesNotContain("rabbit-secret", html, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-123", html, StringComparison.Ordinal);
        Assert.Contains("<td>2</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_need_the_dashboard_header_and_reach_the_app()
    {
        using var client = await _dashboard.LoggedInClientAsync();

        using var forged = await client.PostAsync(new Uri("/api/resources/web/restart", UriKind.Relative), null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/resources/web/restart");
        request.Headers.Add("X-Stox-Dashboard", "1");
        using var accepted = await client.SendAsync(request);
        using var unknown = new HttpRequestMessage(HttpMethod.Post, "/api/resources/nope/stop");
        unknown.Headers.Add("X-Stox-Dashboard", "1");
        using var notFound = await client.SendAsync(unknown);

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && _commands.Count == 0)
        {
            await Task.Delay(20);
        }

        Assert.Equal([("web", "restart")], _commands);
    }

    [Fact]
    public async Task Console_renders_colours_escapes_markup_and_includes_replicas()
    {
        _dashboard.Logs.Write("web", "\u001b[31mfail\u001b[39m: <script>alert(1)</script>");
        _dashboard.Logs.Write("web-1", "from the second replica");
        using var client = await _dashboard.LoggedInClientAsync();

        var html = await client.GetStringAsync(new Uri("/console?resource=web", UriKind.Relative));

        Assert.Contains("<span style=\"color:#c0392b;\">fail</span>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", html, StringComparison.Ordinal);
        Assert.Contains("from the second replica", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Structured_logs_filter_by_resource_and_level()
    {
        _dashboard.Server.Telemetry.AddLogs([]);
        using var otlp = new HttpClient { BaseAddress = new Uri(_dashboard.Server.OtlpHttpEndpoint) };
        await PostAsync(otlp, "/v1/logs", DashboardTestServer.LogRecords("web", (SeverityNumber.Info, "hello {Name}", [("Name", "world")]), (SeverityNumber.Error, "it broke", [])).ToByteArray());
        await PostAsync(otlp, "/v1/logs", DashboardTestServer.LogRecords("jobs", (SeverityNumber.Error, "jobs error", [])).ToByteArray());
        using var client = await _dashboard.LoggedInClientAsync();

        var all = await client.GetStringAsync(new Uri("/logs", UriKind.Relative));
        var webErrors = await client.GetStringAsync(new Uri("/logs?resource=web&level=Error", UriKind.Relative));
        var partial = await client.GetStringAsync(new Uri("/logs?resource=web&partial=1", UriKind.Relative));

        Assert.Contains("hello world", all, StringComparison.Ordinal);
        Assert.Contains("jobs error", all, StringComparison.Ordinal);
        Assert.Contains("it broke", webErrors, StringComparison.Ordinal);
        Assert.DoesNotContain("hello world", webErrors, StringComparison.Ordinal);
        Assert.DoesNotContain("jobs error", webErrors, StringComparison.Ordinal);
        Assert.StartsWith("<table", partial, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trace_across_services_is_one_waterfall_in_parent_order()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var otlp = new HttpClient { BaseAddress = new Uri(_dashboard.Server.OtlpHttpEndpoint) };

        // Sent out of order and from three services, as they would arrive.
        await PostAsync(otlp, "/v1/traces", DashboardTestServer.Traces("processing", traceId, ("cccccccccccccccc", "bbbbbbbbbbbbbbbb", "images process", 20, 90)).ToByteArray());
        await PostAsync(otlp, "/v1/traces", DashboardTestServer.Traces("jobs", traceId, ("bbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaa", "POST /api/images", 5, 15)).ToByteArray());
        await PostAsync(otlp, "/v1/traces", DashboardTestServer.Traces("gateway", traceId, ("aaaaaaaaaaaaaaaa", null, "POST /api/images", 0, 18)).ToByteArray());
        using var client = await _dashboard.LoggedInClientAsync();

        var list = await client.GetStringAsync(new Uri("/traces", UriKind.Relative));
        var waterfall = await client.GetStringAsync(new Uri($"/traces/{traceId}", UriKind.Relative));

        Assert.Contains($"/traces/{traceId}", list, StringComparison.Ordinal);
        Assert.Contains("gateway: POST /api/images", list, StringComparison.Ordinal);
        var gateway = waterfall.IndexOf("data-service=\"gateway\"", StringComparison.Ordinal);
        var jobs = waterfall.IndexOf("data-service=\"jobs\"", StringComparison.Ordinal);
        var processing = waterfall.IndexOf("data-service=\"processing\"", StringComparison.Ordinal);
        Assert.True(gateway >= 0 && gateway < jobs && jobs < processing, "parents come before their children");
        Assert.Contains("3 spans", waterfall, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_page_shows_request_rate_and_latency_from_the_http_histogram()
    {
        var now = DateTimeOffset.UtcNow;
        ulong Nanos(DateTimeOffset t) => (ulong)t.ToUnixTimeMilliseconds() * 1_000_000UL;
        HistogramDataPoint Point(DateTimeOffset at, ulong count, double sum, ulong[] buckets) => new()
        {
            StartTimeUnixNano = Nanos(now.AddSeconds(-60)),
            TimeUnixNano = Nanos(at),
            Count = count,
            Sum = sum,
            ExplicitBounds = { 0.01, 0.1, 1 },
            BucketCounts = { buckets },
            Attributes = { new KeyValue { Key = "http.response.status_code", Value = new AnyValue { IntValue = 200 } } },
        };
        var request = new ExportMetricsServiceRequest();
        foreach (var (at, count, sum, buckets) in new[] { (now.AddSeconds(-10), 100UL, 1.0, new ulong[] { 100, 0, 0, 0 }), (now, 300UL, 5.0, new ulong[] { 250, 40, 10, 0 }) })
        {
            request.ResourceMetrics.Add(new ResourceMetrics
            {
                Resource = DashboardTestServer.ResourceOf("web"),
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Metrics =
                        {
                            new Metric { Name = "http.server.request.duration", Unit = "s", Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { Point(at, count, sum, buckets) } } },
                        },
                    },
                },
            });
        }

        using var otlp = new HttpClient { BaseAddress = new Uri(_dashboard.Server.OtlpHttpEndpoint) };
        await PostAsync(otlp, "/v1/metrics", request.ToByteArray());
        using var client = await _dashboard.LoggedInClientAsync();

        var html = await client.GetStringAsync(new Uri("/metrics?resource=web", UriKind.Relative));

        // 200 requests in 10 s, 4 s in all: 20/s, 20 ms mean; the 190th of 200 falls in the (0.01, 0.1] bucket.
        Assert.Contains("<div class=\"value\">20</div><div class=\"label\">Requests/s</div>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"value\">20 ms</div><div class=\"label\">Mean latency</div>", html, StringComparison.Ordinal);
        Assert.Contains("100 ms</div><div class=\"label\">p95 latency", html, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_page_shows_queue_depth_and_jobs_per_second_from_the_apps_own_instruments()
    {
        var now = DateTimeOffset.UtcNow;
        ulong Nanos(DateTimeOffset t) => (ulong)t.ToUnixTimeMilliseconds() * 1_000_000UL;
        Metric Gauge(string name, double value) => new() { Name = name, Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsDouble = value, TimeUnixNano = Nanos(now) } } } };
        Metric Counter(DateTimeOffset at, long value) => new()
        {
            Name = "stox.jobs.completed",
            Sum = new Sum
            {
                IsMonotonic = true,
                AggregationTemporality = AggregationTemporality.Cumulative,
                DataPoints = { new NumberDataPoint { AsInt = value, StartTimeUnixNano = Nanos(now.AddMinutes(-1)), TimeUnixNano = Nanos(at) } },
            },
        };
        var request = new ExportMetricsServiceRequest();
        foreach (var metrics in new[] { new[] { Counter(now.AddSeconds(-10), 10) }, [Counter(now, 30), Gauge("stox.jobs.queue.depth", 7), Gauge("dotnet.thread_pool.queue.length", 1000)] })
        {
            request.ResourceMetrics.Add(new ResourceMetrics { Resource = DashboardTestServer.ResourceOf("processing"), ScopeMetrics = { new ScopeMetrics { Metrics = { metrics } } } });
        }

        using var otlp = new HttpClient { BaseAddress = new Uri(_dashboard.Server.OtlpHttpEndpoint) };
        await PostAsync(otlp, "/v1/metrics", request.ToByteArray());
        using var client = await _dashboard.LoggedInClientAsync();

        var html = await client.GetStringAsync(new Uri("/metrics?resource=processing", UriKind.Relative));

        Assert.Contains("<div class=\"value\">7</div><div class=\"label\">Queue depth</div>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"value\">2</div><div class=\"label\">Jobs/s</div>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_command_for_a_busy_resource_is_409()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var dashboard = await DashboardTestServer.StartAsync(commands: async (_, _, _) =>
        {
            Interlocked.Increment(ref calls);
            await release.Task;
        });
        dashboard.Notifications.Register("web", "Project");
        using var client = await dashboard.LoggedInClientAsync();
        async Task<HttpStatusCode> SendAsync(string command)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/resources/web/{command}");
            request.Headers.Add("X-Stox-Dashboard", "1");
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SendAsync("restart")));
        release.SetResult();

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.Conflict));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && await SendAsync("stop") != HttpStatusCode.Accepted)
        {
            await Task.Delay(20);
        }

        Assert.Equal(2, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task A_taken_port_is_replaced_by_a_free_one_and_stopping_releases_the_ports()
    {
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var context = new DashboardContext(new ResourceNotificationService(), new Stox.Hosting.Orchestration.ResourceLogService(null), new Stox.Hosting.Orchestration.ResourceEnvironments());

        var server = await DashboardServer.StartAsync(new DashboardSettings { Port = taken, OtlpGrpcPort = null, OtlpHttpPort = null }, context);
        var ports = new[] { server.Url.Port, new Uri(server.OtlpGrpcEndpoint).Port, new Uri(server.OtlpHttpEndpoint).Port };
        Assert.NotEqual(taken, server.Url.Port);
        Assert.Equal(3, ports.Distinct().Count());
        using (var client = new HttpClient())
        {
            using var response = await client.GetAsync(new Uri(server.Url, "/login"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await server.DisposeAsync();

        Assert.All(ports, port =>
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
            listener.Start();
        });
    }

    private static async Task PostAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
