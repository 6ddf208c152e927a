using System.Net;
using Google.Protobuf;
using Stox.Hosting;
using Stox.Hosting.Dashboard;
using Stox.Hosting.Dashboard.Otlp.Protocol;
using Stox.Hosting.Dashboard.Telemetry;
using Stox.Hosting.Orchestration;

namespace Stox.Tests.Dashboard;

/// <summary>A dashboard on free ports with its own (empty) resource services: for receiver and page tests without an app.</summary>
internal sealed class DashboardTestServer : IAsyncDisposable
{
    private DashboardTestServer(DashboardServer server, ResourceNotificationService notifications, ResourceLogService logs, ResourceEnvironments environments)
    {
        Server = server;
        Notifications = notifications;
        Logs = logs;
        Environments = environments;
    }

    public DashboardServer Server { get; }
    public ResourceNotificationService Notifications { get; }
    public ResourceLogService Logs { get; }
    public ResourceEnvironments Environments { get; }
    public TelemetryStore Telemetry => Server.Telemetry;

    public static async Task<DashboardTestServer> StartAsync(TelemetryLimits? limits = null, Func<string, string, CancellationToken, Task>? commands = null)
    {
        var notifications = new ResourceNotificationService();
        var logs = new ResourceLogService(null);
        var environments = new ResourceEnvironments();
        var server = await DashboardServer.StartAsync(
            new DashboardSettings { Port = null, OtlpGrpcPort = null, OtlpHttpPort = null, Limits = limits ?? new TelemetryLimits() },
            new DashboardContext(notifications, logs, environments, commands));
        return new DashboardTestServer(server, notifications, logs, environments);
    }

    /// <summary>An HTTP client logged in with the token (it keeps the session cookie).</summary>
    public async Task<HttpClient> LoggedInClientAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = Server.Url };
        using var login = await client.GetAsync(new Uri(Server.LoginUrl));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return client;
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    public static ExportTraceServiceRequest Traces(string service, string traceId, params (string SpanId, string? Parent, string Name, int StartMs, int EndMs)[] spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "test" } };
        var t0 = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        foreach (var (spanId, parent, name, start, end) in spans)
        {
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(Convert.FromHexString(traceId)),
                SpanId = ByteString.CopyFrom(Convert.FromHexString(spanId)),
                ParentSpanId = parent is null ? ByteString.Empty : ByteString.CopyFrom(Convert.FromHexString(parent)),
                Name = name,
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = t0 + ((ulong)start * 1_000_000UL),
                EndTimeUnixNano = t0 + ((ulong)end * 1_000_000UL),
                Attributes = { new KeyValue { Key = "http.route", Value = new AnyValue { StringValue = "/x" } } },
            });
        }

        return new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = ResourceOf(service), ScopeSpans = { scope } } } };
    }

    public static ExportLogsServiceRequest LogRecords(string service, params (SeverityNumber Severity, string Template, (string Key, string Value)[] Attributes)[] records)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Test.Category" } };
        foreach (var (severity, template, attributes) in records)
        {
            var record = new LogRecord
            {
                TimeUnixNano = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL,
                SeverityNumber = severity,
                Body = new AnyValue { StringValue = template },
            };
            record.Attributes.AddRange(attributes.Select(a => new KeyValue { Key = a.Key, Value = new AnyValue { StringValue = a.Value } }));
            scope.LogRecords.Add(record);
        }

        return new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = ResourceOf(service), ScopeLogs = { scope } } } };
    }

    public static global::Stox.Hosting.Dashboard.Otlp.Protocol.Resource ResourceOf(string service) => new()
    {
        Attributes =
        {
            new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } },
            new KeyValue { Key = "service.instance.id", Value = new AnyValue { StringValue = service + "-0-abc" } },
        },
    };
}
