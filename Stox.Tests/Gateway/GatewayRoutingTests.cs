using System.Net;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Gateway;

/// <summary>The gateway in the whole system: each public path reaches its service, with the edge's headers.</summary>
[Collection(SystemCollection.Name)]
public sealed class GatewayRoutingTests(StoxAppFixture fixture)
{
    [Theory]
    [InlineData("/api/auth/", "auth", false)]
    [InlineData("/api/account/", "auth", true)]
    [InlineData("/api/admin/", "auth", true)]
    [InlineData("/.well-known/", "auth", false)]
    [InlineData("/api/images/", "jobs", true)]
    [InlineData("/api/jobs/", "jobs", true)]
    [InlineData("/gallery/", "frontend", false)]
    public async Task Each_public_path_reaches_its_service(string prefix, string service, bool authenticated)
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");
        var path = $"{prefix}probe-{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authenticated)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await fixture.GetUserTokenAsync());
        }

        using var response = await gateway.SendAsync(request);

        // The service's own span (service.name = service) for this exact path proves where it went.
        await fixture.Telemetry.WaitForSpanFromServiceAsync(service, path, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_unknown_api_path_is_the_gateways_own_ProblemDetails_404()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await gateway.GetAsync(new Uri("/api/nothing-here", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://stox.dev/problems/not-found", body.GetProperty("type").GetString());
    }

    [Fact]
    public async Task One_OpenAPI_document_and_a_browsable_UI_are_served_under_api()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");

        var document = JsonDocument.Parse(await gateway.GetStringAsync(new Uri("/api/openapi.json", UriKind.Relative))).RootElement;
        using var ui = await gateway.GetAsync(new Uri("/api/docs/index.html", UriKind.Relative));
        var uiConfiguration = await gateway.GetStringAsync(new Uri("/api/docs/index.js", UriKind.Relative));

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("Stox API", document.GetProperty("info").GetProperty("title").GetString());
        Assert.DoesNotContain("Not available", document.GetProperty("info").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, document.GetProperty("paths").ValueKind);
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("/api/openapi.json", uiConfiguration, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", "default-src 'self'")]
    [InlineData("/api/images", "default-src 'none'")]
    [InlineData("/api/nothing-here", "default-src 'none'")]
    public async Task Every_response_carries_the_security_headers(string path, string policy)
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await gateway.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.StartsWith(policy, Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS is only sent over HTTPS");
    }

    [Fact]
    public async Task A_request_id_is_echoed_or_created()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var given = new HttpRequestMessage(HttpMethod.Get, "/");
        given.Headers.Add("X-Request-Id", "client-id-123");
        using var echoed = await gateway.SendAsync(given);
        using var hostile = new HttpRequestMessage(HttpMethod.Get, "/");
        hostile.Headers.TryAddWithoutValidation("X-Request-Id", "<script>alert(1)</script>");
        using var replaced = await gateway.SendAsync(hostile);

        Assert.Equal("client-id-123", Header(echoed, "X-Request-Id"));
        Assert.Matches("^[0-9a-f]{32}$", Header(replaced, "X-Request-Id"));
    }

    [Fact]
    public async Task A_preflight_from_an_origin_not_listed_is_refused()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/images");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");

        using var response = await gateway.SendAsync(preflight);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : string.Empty;
}
