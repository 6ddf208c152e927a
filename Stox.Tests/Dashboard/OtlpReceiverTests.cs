using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Stox.Hosting.Dashboard.Otlp.Protocol;
using Stox.Hosting.Dashboard.Telemetry;

namespace Stox.Tests.Dashboard;

/// <summary>The OTLP receiver over HTTP and gRPC: it stores what is valid and answers, never dies on, what is not.</summary>
public sealed class OtlpReceiverTests : IAsyncLifetime
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private static readonly TelemetryLimits SmallLimits = new() { MaxRequestBytes = 64 * 1024, MaxSpans = 50, MaxLogEntries = 40, MaxMetricSeries = 5 };
    private DashboardTestServer _dashboard = null!;
    private HttpClient _http = null!;
    private HttpClient _grpc = null!;

    public async Task InitializeAsync()
    {
        _dashboard = await DashboardTestServer.StartAsync(SmallLimits);
        _http = new HttpClient { BaseAddress = new Uri(_dashboard.Server.OtlpHttpEndpoint) };

        // gRPC without TLS: HTTP/2 with prior knowledge (h2c), as the OTLP exporters do for http:// endpoints.
        _grpc = new HttpClient
        {
            BaseAddress = new Uri(_dashboard.Server.OtlpGrpcEndpoint),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _grpc.Dispose();
        await _dashboard.DisposeAsync();
    }

    [Fact]
    public async Task Http_protobuf_traces_and_logs_are_stored()
    {
        var traces = DashboardTestServer.Traces("gateway", TraceId, ("1111111111111111", null, "GET /api/images", 0, 40), ("2222222222222222", "1111111111111111", "GET", 5, 30));
        using var traceResponse = await PostAsync("/v1/traces", traces.ToByteArray());
        using var logResponse = await PostAsync("/v1/logs", DashboardTestServer.LogRecords("jobs", (SeverityNumber.Warn, "Job {JobId} retried", [("JobId", "42")])).ToByteArray());

        Assert.Equal(HttpStatusCode.OK, traceResponse.StatusCode);
        Assert.Equal("application/x-protobuf", traceResponse.Content.Headers.ContentType?.MediaType);
        ExportTraceServiceResponse.Parser.ParseFrom(await traceResponse.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, logResponse.StatusCode);
        var spans = _dashboard.Telemetry.GetTrace(TraceId);
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.Equal("gateway", s.Source.Service));
        Assert.Equal("1111111111111111", spans.Single(s => s.Name == "GET").ParentSpanId);
        var log = Assert.Single(_dashboard.Telemetry.GetLogs());
        Assert.Equal("Job 42 retried", log.Message);
        Assert.Equal("Warning", log.Level);
    }

    [Fact]
    public async Task Http_malformed_protobuf_is_400_and_the_receiver_keeps_serving()
    {
        // A field header announcing 2 GB of length-delimited data, then nothing.
        using var truncated = await PostAsync("/v1/traces", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]);
        using var garbage = await PostAsync("/v1/logs", [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 37))]);
        using var wrongWireType = await PostAsync("/v1/metrics", [0x0F, 0x01]);

        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongWireType.StatusCode);
        var status = RpcStatus.Parser.ParseFrom(await truncated.Content.ReadAsByteArrayAsync());
        Assert.Contains("not valid protobuf", status.Message, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Http_oversized_payloads_are_413_with_or_without_a_content_length()
    {
        var big = new byte[SmallLimits.MaxRequestBytes + 1];
        using var withLength = await PostAsync("/v1/traces", big);
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/traces")
        {
            Content = new StreamContent(new ChunkedStream(big)) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-protobuf") } },
        };
        using var chunkedResponse = await _http.SendAsync(chunked);

        // A gzip bomb: small on the wire, too large once inflated.
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            await gzip.WriteAsync(new byte[SmallLimits.MaxRequestBytes * 4]);
        }

        using var bomb = await PostAsync("/v1/logs", compressed.ToArray(), gzip: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withLength.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
        Assert.True(compressed.Length < SmallLimits.MaxRequestBytes, $"the bomb is {compressed.Length} bytes compressed");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bomb.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Http_wrong_media_type_method_and_path_are_refused()
    {
        using var json = new StringContent("{}", System.Text.Encoding.UTF8, "text/plain");
        using var textResponse = await _http.PostAsync(new Uri("/v1/traces", UriKind.Relative), json);
        using var get = await _http.GetAsync(new Uri("/v1/traces", UriKind.Relative));
        using var unknown = await PostAsync("/v1/profiles", []);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, textResponse.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Http_json_is_accepted_with_hex_ids_and_bad_json_is_400()
    {
        const string json = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-service"}}]},
              "scopeSpans":[{"scope":{"name":"s"},"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
                "parentSpanId":"","name":"from json","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000",
                "attributes":[{"key":"n","value":{"intValue":"3"}}],"droppedLinksCount":0,"someFutureField":{"x":1}}]}]}]}
            """;
        using var ok = await _http.PostAsync(new Uri("/v1/traces", UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        using var bad = await _http.PostAsync(new Uri("/v1/traces", UriKind.Relative), new StringContent("{\"resourceSpans\": [", System.Text.Encoding.UTF8, "application/json"));
        using var badId = await _http.PostAsync(new Uri("/v1/traces", UriKind.Relative), new StringContent("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\"}]}]}]}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("application/json", ok.Content.Headers.ContentType?.MediaType);
        var span = Assert.Single(_dashboard.Telemetry.GetTrace("5b8efff798038103d269b633813fc60c"));
        Assert.Equal(("json-service", "eee19b7ec3c1b174", "from json", "3"), (span.Source.Service, span.SpanId, span.Name, span.Attributes.Single().Value));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Contains("OTLP/JSON", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Http_gzip_bodies_are_accepted()
    {
        var body = DashboardTestServer.Traces("auth", TraceId, ("3333333333333333", null, "POST /login", 0, 3)).ToByteArray();
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(body);
        }

        using var response = await PostAsync("/v1/traces", compressed.ToArray(), gzip: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_dashboard.Telemetry.GetTrace(TraceId));
    }

    [Fact]
    public async Task Grpc_export_answers_a_framed_reply_and_grpc_status_0()
    {
        var request = DashboardTestServer.Traces("processing", TraceId, ("4444444444444444", null, "process image", 0, 120));

        using var response = await GrpcAsync("/opentelemetry.proto.collector.trace.v1.TraceService/Export", Frame(request.ToByteArray()));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode} {response.Headers} {response.Content.Headers} {System.Text.Encoding.UTF8.GetString(body)}");
        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0", GrpcStatus(response));
        Assert.Equal(0, body[0]);
        Assert.Equal(body.Length - 5, (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)));
        ExportTraceServiceResponse.Parser.ParseFrom(body.AsSpan(5));
        Assert.Equal("process image", Assert.Single(_dashboard.Telemetry.GetTrace(TraceId)).Name);
    }

    [Fact]
    public async Task Grpc_bad_requests_get_a_proper_grpc_status_and_the_receiver_keeps_serving()
    {
        const string export = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
        using var malformed = await GrpcAsync(export, Frame([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]));
        var oversizedFrame = new byte[5 + 16];
        BinaryPrimitives.WriteUInt32BigEndian(oversizedFrame.AsSpan(1), (uint)SmallLimits.MaxRequestBytes + 1);
        using var oversized = await GrpcAsync(export, oversizedFrame);
        var hugeBody = Frame(new byte[SmallLimits.MaxRequestBytes + 100]);
        using var oversizedWithBody = await GrpcAsync(export, hugeBody);
        using var truncated = await GrpcAsync(export, Frame(new byte[100])[..50]);
        using var noFrame = await GrpcAsync(export, [0, 0]);
        using var unknownMethod = await GrpcAsync("/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export", Frame([]));
        var compressedFlag = Frame([0x01, 0x02]);
        compressedFlag[0] = 1;
        using var unsupportedCompression = await GrpcAsync(export, compressedFlag);

        Assert.Equal("3", GrpcStatus(malformed));
        Assert.Equal("8", GrpcStatus(oversized));
        Assert.Equal("8", GrpcStatus(oversizedWithBody));
        Assert.Equal("13", GrpcStatus(truncated));
        Assert.Equal("13", GrpcStatus(noFrame));
        Assert.Equal("12", GrpcStatus(unknownMethod));
        Assert.Equal("12", GrpcStatus(unsupportedCompression));
        Assert.NotEmpty(malformed.Headers.GetValues("grpc-message"));

        using var good = await GrpcAsync(export, Frame(DashboardTestServer.LogRecords("jobs", (SeverityNumber.Info, "still here", [])).ToByteArray()));
        Assert.Equal("0", GrpcStatus(good));
        Assert.Contains(_dashboard.Telemetry.GetLogs(), l => l.Message == "still here");
    }

    [Fact]
    public async Task Grpc_request_that_is_not_grpc_is_415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/opentelemetry.proto.collector.trace.v1.TraceService/Export")
        {
            Content = new ByteArrayContent([1, 2, 3]),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _grpc.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task The_OpenTelemetry_SDK_exporter_delivers_spans(OtlpExportProtocol protocol)
    {
        using var source = new ActivitySource("Stox.Tests.Dashboard." + protocol);
        var endpoint = protocol == OtlpExportProtocol.Grpc ? _dashboard.Server.OtlpGrpcEndpoint : _dashboard.Server.OtlpHttpEndpoint + "/v1/traces";
        string traceId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("sdk-" + protocol))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(endpoint);
                o.Protocol = protocol;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build())
        {
            using (var parent = source.StartActivity("parent work", ActivityKind.Server))
            {
                traceId = parent!.TraceId.ToHexString();
                using var child = source.StartActivity("child work", ActivityKind.Client);
            }

            provider.ForceFlush(5000);
        }

        var spans = _dashboard.Telemetry.GetTrace(traceId);
        Assert.Equal(["child work", "parent work"], spans.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(spans, s => Assert.Equal("sdk-" + protocol, s.Source.Service));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Concurrent_good_and_bad_exports_over_both_protocols_are_each_answered()
    {
        const string export = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            var good = DashboardTestServer.Traces("gateway", $"{i + 1:x32}", ($"{i + 1:x16}", null, "ok", 0, 1)).ToByteArray();
            byte[] bad = [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07];
            switch (i % 4)
            {
                case 0:
                    using (var response = await PostAsync("/v1/traces", good))
                    {
                        return response.StatusCode == HttpStatusCode.OK;
                    }

                case 1:
                    using (var response = await PostAsync("/v1/traces", bad))
                    {
                        return response.StatusCode == HttpStatusCode.BadRequest;
                    }

                case 2:
                    using (var response = await GrpcAsync(export, Frame(good)))
                    {
                        return GrpcStatus(response) == "0";
                    }

                default:
                    using (var response = await GrpcAsync(export, Frame(bad)))
                    {
                        return GrpcStatus(response) == "3";
                    }
            }
        });

        var results = await Task.WhenAll(tasks);

        Assert.All(results, Assert.True);
        Assert.Equal(SmallLimits.MaxSpans, _dashboard.Telemetry.SpanCount);
        Assert.Equal(100, _dashboard.Server.Receiver.Rejected);
    }

    [Fact]
    public async Task Storage_is_bounded_however_much_arrives()
    {
        for (var batch = 0; batch < 10; batch++)
        {
            var spans = Enumerable.Range(0, 20).Select(i => ($"{batch:x8}{i:x8}", (string?)null, $"span {batch}/{i}", 0, 1)).ToArray();
            using var traces = await PostAsync("/v1/traces", DashboardTestServer.Traces("gateway", $"{batch:x32}", spans).ToByteArray());
            var records = Enumerable.Range(0, 20).Select(i => (SeverityNumber.Info, $"line {batch}/{i}", Array.Empty<(string, string)>())).ToArray();
            using var logs = await PostAsync("/v1/logs", DashboardTestServer.LogRecords("jobs", records).ToByteArray());
            var metrics = new ExportMetricsServiceRequest();
            var scope = new ScopeMetrics();
            for (var i = 0; i < 3; i++)
            {
                scope.Metrics.Add(new Metric
                {
                    Name = $"stox.test.gauge{batch}.{i}",
                    Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsDouble = i, TimeUnixNano = 1 } } },
                });
            }

            metrics.ResourceMetrics.Add(new ResourceMetrics { Resource = DashboardTestServer.ResourceOf("jobs"), ScopeMetrics = { scope } });
            using var metricResponse = await PostAsync("/v1/metrics", metrics.ToByteArray());
            Assert.Equal(HttpStatusCode.OK, metricResponse.StatusCode);
        }

        var store = _dashboard.Telemetry;
        Assert.Equal(SmallLimits.MaxSpans, store.SpanCount);
        Assert.Equal(SmallLimits.MaxLogEntries, store.LogCount);
        Assert.Equal(SmallLimits.MaxMetricSeries, store.SeriesCount);
        Assert.True(store.DroppedSeries > 0);

        // The newest are kept.
        Assert.Equal("line 9/19", store.GetLogs()[^1].Message);
        Assert.Contains(store.GetSpans(), s => s.Name == "span 9/19");
        Assert.DoesNotContain(store.GetSpans(), s => s.Name == "span 0/0");
    }

    [Fact]
    public void Large_records_are_also_bounded_by_a_byte_budget()
    {
        var limits = new TelemetryLimits { MaxLogEntries = 10_000, MaxLogBytes = 1024 * 1024 };
        var store = new TelemetryStore(limits);
        var ingest = new Stox.Hosting.Dashboard.Otlp.OtlpIngest(store);
        var record = (SeverityNumber.Info, new string('m', 4000), Enumerable.Range(0, 64).Select(i => ($"k{i}", new string('v', 4000))).ToArray());

        for (var i = 0; i < 20; i++)
        {
            ingest.Ingest(DashboardTestServer.LogRecords("jobs", record, record, record, record, record));
        }

        Assert.InRange(store.Bytes, 1, limits.MaxLogBytes);
        Assert.InRange(store.LogCount, 1, 10);
    }

    [Fact]
    public async Task Long_values_and_many_attributes_are_truncated()
    {
        var request = DashboardTestServer.LogRecords("jobs", (SeverityNumber.Error, new string('x', 20_000), [.. Enumerable.Range(0, 200).Select(i => ($"k{i}", new string('v', 100)))]));

        using var response = await PostAsync("/v1/logs", request.ToByteArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var log = Assert.Single(_dashboard.Telemetry.GetLogs());
        Assert.True(log.Message.Length <= SmallLimits.MaxValueLength + 1);
        Assert.Equal(SmallLimits.MaxAttributesPerItem, log.Attributes.Count);
        Assert.All(log.Attributes, a => Assert.True(a.Value.Length <= SmallLimits.MaxValueLength + 1));
    }

    private async Task AssertStillServesAsync()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var response = await PostAsync("/v1/traces", DashboardTestServer.Traces("gateway", traceId, ("5555555555555555", null, "after", 0, 1)).ToByteArray());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_dashboard.Telemetry.GetTrace(traceId));
    }

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, bool gzip = false)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return await _http.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    private async Task<HttpResponseMessage> GrpcAsync(string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        var response = await _grpc.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        return response;
    }

    /// <summary>grpc-status from the trailers, or from the headers of a trailers-only response.</summary>
    private static string? GrpcStatus(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single()
        : response.Headers.TryGetValues("grpc-status", out var header) ? header.Single()
        : null;

    private static byte[] Frame(byte[] message)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>A stream of unknown length, so the request is sent chunked without a Content-Length.</summary>
    private sealed class ChunkedStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
