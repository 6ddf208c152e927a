using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Stox.Tests.Gateway;

/// <summary>Timeouts, streams, body limits and forwarded addresses: the real gateway in front of a destination the test controls.</summary>
[Collection(GatewayEdgeCollection.Name)]
public sealed class GatewayEdgeTests(GatewayEdgeFixture fixture)
{
    [Fact]
    public async Task A_destination_slower_than_the_route_timeout_gives_a_504_ProblemDetails()
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/slow");
        request.Headers.Add(DestinationStub.DelayHeader, "15000");
        var started = Stopwatch.StartNew();

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(started.Elapsed, GatewayEdgeFixture.RequestTimeout, TimeSpan.FromSeconds(10));
        await AssertProblemAsync(response, "https://stox.dev/problems/timeout");
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task Uploads_have_the_longer_upload_timeout()
    {
        using var client = fixture.CreateClient();
        using var request = Authorized(HttpMethod.Post, $"/api/images/{Guid.NewGuid()}/complete");
        request.Headers.Add(DestinationStub.DelayHeader, ((int)(GatewayEdgeFixture.RequestTimeout.TotalMilliseconds * 1.5)).ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Server_sent_events_stream_through_unbuffered_past_the_route_timeout_and_the_disconnect_reaches_the_service()
    {
        using var client = fixture.CreateClient();
        var probe = Guid.NewGuid().ToString("N");
        using var request = Authorized(HttpMethod.Get, $"/api/images/events?probe={probe}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var started = Stopwatch.StartNew();

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var arrivals = new List<(int Id, TimeSpan At)>();
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            // Long enough to outlive the 2 s route timeout several events over.
            var wanted = (int)(GatewayEdgeFixture.RequestTimeout * 2 / DestinationStub.EventInterval);
            while (arrivals.Count < wanted && await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    arrivals.Add((int.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture), started.Elapsed));
                }
            }
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        response.Dispose();
        Assert.Equal(Enumerable.Range(1, arrivals.Count), arrivals.Select(a => a.Id));
        // Unbuffered: the first event arrived long before the last was written; and the stream outlived the route timeout.
        Assert.True(arrivals[0].At < GatewayEdgeFixture.RequestTimeout, $"first event after {arrivals[0].At}");
        Assert.True(arrivals[^1].At - arrivals[0].At > GatewayEdgeFixture.RequestTimeout, $"events spread over {arrivals[^1].At - arrivals[0].At}");
        await fixture.Destination.StreamEnded(probe).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_multipart_upload_above_50_MB_reaches_jobs()
    {
        using var client = fixture.CreateClient();
        const long fileBytes = 51L * 1024 * 1024;
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(new byte[fileBytes]), "file", "large.jpg" },
            { new ByteArrayContent(new byte[1024]), "file", "small.jpg" },
            { new StringContent("true"), "enhance" },
        };
        using var request = Authorized(HttpMethod.Post, "/api/images");
        request.Content = form;

        using var response = await client.SendAsync(request);
        var echo = await response.Content.ReadFromJsonAsync<DestinationStub.Echo>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(echo!.Bytes > fileBytes, $"jobs received {echo.Bytes} bytes");
    }

    [Fact]
    public async Task An_upload_above_the_configured_limit_is_refused_with_a_413_ProblemDetails_before_it_is_sent()
    {
        using var client = fixture.CreateClient();
        using var request = Authorized(HttpMethod.Post, "/api/images");
        request.Headers.ExpectContinue = true;
        request.Content = new ByteArrayContent(new byte[GatewayEdgeFixture.UploadLimit + 1]);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertProblemAsync(response, "https://stox.dev/problems/payload-too-large");
    }

    [Theory]
    [InlineData("/api/images", true)]
    [InlineData("/api/images/uploads", true)]
    [InlineData("/api/images/0b7c1f0e-2a46-4a8e-9a43-6f1a9b1c2d3e/complete", true)]
    [InlineData("/api/images/0b7c1f0e-2a46-4a8e-9a43-6f1a9b1c2d3e/reprocess", false)]
    [InlineData("/api/jobs/something", false)]
    public async Task Only_the_upload_routes_take_bodies_larger_than_the_ordinary_limit(string path, bool upload)
    {
        using var client = fixture.CreateClient();
        using var request = Authorized(HttpMethod.Post, path);
        // Chunked: no Content-Length to refuse up front, so the limit is the one Kestrel enforces while the body streams.
        request.Content = new StreamContent(new MemoryStream(new byte[2 * 1024 * 1024]));
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        if (upload)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(path, (await response.Content.ReadFromJsonAsync<DestinationStub.Echo>())!.Path);
        }
        else
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            await AssertProblemAsync(response, "https://stox.dev/problems/payload-too-large");
        }
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_client_that_is_not_a_trusted_proxy_is_ignored()
    {
        using var client = fixture.CreateClient(from: GatewayEdgeFixture.UntrustedClient);

        // A new made-up address each time: if the gateway believed it, no limit would ever be reached.
        var (statuses, seen) = await OneOverTheAnonymousLimitAsync(client, i => $"198.51.100.{i + 1}");

        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.All(seen, forwardedFor => Assert.Equal(GatewayEdgeFixture.UntrustedClient.ToString(), forwardedFor));
        await fixture.Telemetry.WaitForExportAsync("logs", TimeSpan.FromSeconds(15), "Rate limit", $"ip:{GatewayEdgeFixture.UntrustedClient}");
        Assert.False(fixture.Telemetry.HasExport("logs", "198.51.100."), "a spoofed address reached the gateway's logs");
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_trusted_proxy_is_the_client_address()
    {
        using var proxy = fixture.CreateClient(from: GatewayEdgeFixture.TrustedProxy);

        var (statuses, seen) = await OneOverTheAnonymousLimitAsync(proxy, _ => "203.0.113.7");
        using var otherClient = new HttpRequestMessage(HttpMethod.Get, "/api/auth/echo-other");
        otherClient.Headers.Add("X-Forwarded-For", "203.0.113.8");
        using var other = await proxy.SendAsync(otherClient);

        // The limit belongs to the client behind the proxy, not to the proxy.
        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.All(seen, forwardedFor => Assert.Equal("203.0.113.7", forwardedFor));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        await fixture.Telemetry.WaitForExportAsync("logs", TimeSpan.FromSeconds(15), "Rate limit", "ip:203.0.113.7");
    }

    [Fact]
    public async Task Asking_for_pictures_has_its_own_per_user_limit_that_leaves_reading_them_alone()
    {
        using var client = fixture.CreateClient();
        var user = Guid.NewGuid();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= GatewayEdgeFixture.GenerationsLimit; i++)
        {
            using var request = Authorized(HttpMethod.Post, "/api/generations", user);
            request.Content = JsonContent.Create(new { prompt = "a lighthouse" });
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter is not null, "a 429 says when to come back");
                await AssertProblemAsync(response, "https://stox.dev/problems/rate-limited");
            }
        }

        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        using var list = await client.SendAsync(Authorized(HttpMethod.Get, "/api/generations", user));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var someoneElse = Authorized(HttpMethod.Post, "/api/generations");
        someoneElse.Content = JsonContent.Create(new { prompt = "a lighthouse" });
        using var other = await client.SendAsync(someoneElse);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task The_service_sees_the_validated_user_never_the_one_a_client_claims()
    {
        using var client = fixture.CreateClient();
        var user = Guid.NewGuid();
        using var signedIn = Authorized(HttpMethod.Get, "/api/images/mine", user);
        signedIn.Headers.Add("X-Stox-User-Id", Guid.NewGuid().ToString());
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/api/auth/whoami");
        anonymous.Headers.Add("X-Stox-User-Id", user.ToString());
        anonymous.Headers.Add("X-Stox-User-Role", "admin");

        using var signedInResponse = await client.SendAsync(signedIn);
        using var anonymousResponse = await client.SendAsync(anonymous);
        var seenSignedIn = await signedInResponse.Content.ReadFromJsonAsync<DestinationStub.Echo>();
        var seenAnonymous = await anonymousResponse.Content.ReadFromJsonAsync<DestinationStub.Echo>();

        Assert.Equal(user.ToString(), seenSignedIn!.UserId);
        Assert.Equal("", seenAnonymous!.UserId);
    }

    [Fact]
    public async Task The_trace_and_the_request_id_continue_to_the_service()
    {
        using var client = fixture.CreateClient();
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/traced");
        request.Headers.Add("traceparent", $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");
        request.Headers.Add("X-Request-Id", "edge-trace-1");

        using var response = await client.SendAsync(request);
        var seen = await response.Content.ReadFromJsonAsync<DestinationStub.Echo>();

        Assert.Equal(traceId, seen!.TraceParent.Split('-')[1]);
        Assert.Equal("edge-trace-1", seen.RequestId);
        Assert.Equal("edge-trace-1", response.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task Requests_latency_and_rate_limit_rejections_are_exported_as_metrics()
    {
        // An address of its own, so that this test's rejection does not depend on the others.
        using var client = fixture.CreateClient(from: IPAddress.Parse("127.0.0.4"));
        await OneOverTheAnonymousLimitAsync(client, forwardedFor: null);

        await fixture.Telemetry.WaitForExportAsync("metrics", TimeSpan.FromSeconds(15), "stox.gateway.requests", "stox.gateway.request.duration", "auth");
        await fixture.Telemetry.WaitForExportAsync("metrics", TimeSpan.FromSeconds(15), "stox.gateway.rate_limited", "Anonymous");
    }

    /// <summary>One anonymous request more than the limit allows; returns every status, and the X-Forwarded-For the service saw on each one let through.</summary>
    private static async Task<(List<HttpStatusCode> Statuses, List<string> Seen)> OneOverTheAnonymousLimitAsync(HttpClient client, Func<int, string>? forwardedFor)
    {
        var statuses = new List<HttpStatusCode>();
        var seen = new List<string>();
        for (var i = 0; i <= GatewayEdgeFixture.AnonymousLimit; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/auth/echo-{i}");
            if (forwardedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", forwardedFor(i));
            }

            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.IsSuccessStatusCode)
            {
                seen.Add((await response.Content.ReadFromJsonAsync<DestinationStub.Echo>())!.ForwardedFor);
            }
        }

        return (statuses, seen);
    }

    private HttpRequestMessage Authorized(HttpMethod method, string path, Guid? user = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.CreateToken(user));
        return request;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string type)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }
}
