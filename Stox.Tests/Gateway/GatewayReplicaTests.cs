using System.Net;
using System.Text;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Gateway;

/// <summary>Limits, CORS and failover with two gateway replicas and two auth replicas.</summary>
[Collection(GatewayReplicasCollection.Name)]
public sealed class GatewayReplicaTests(GatewayReplicasFixture fixture)
{
    private IReadOnlyList<string> GatewayReplicas => [.. fixture.App.Instances("gateway").Select(i => fixture.App.InstanceUrl(i).ToString())];

    [Fact]
    public async Task The_credentials_rate_limit_is_shared_by_both_gateway_replicas()
    {
        Assert.Equal(2, GatewayReplicas.Count);
        using var client = new HttpClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i <= GatewayReplicasFixture.CredentialsLimit; i++)
        {
            last?.Dispose();
            // Alternate replicas: the count lives in Redis, not in either process.
            var replica = new Uri(GatewayReplicas[i % 2]);
            last = await client.PostAsync(new Uri(replica, "/api/auth/login"), new StringContent("{}", Encoding.UTF8, "application/json"));
            statuses.Add(last.StatusCode);
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(GatewayReplicasFixture.CredentialsLimit));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.True(int.Parse(last!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("0", last.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        last.Dispose();
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        using var client = new HttpClient { BaseAddress = new Uri(GatewayReplicas[0]) };
        var body = new string('x', GatewayReplicasFixture.MaxBodyBytes + 1);

        using var response = await client.PostAsync(new Uri("/api/auth/refresh", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_preflight_from_a_listed_origin_is_allowed_with_credentials()
    {
        using var client = new HttpClient { BaseAddress = new Uri(GatewayReplicas[1]) };
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/images");
        preflight.Headers.Add("Origin", GatewayReplicasFixture.AllowedOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await client.SendAsync(preflight);

        Assert.Equal(GatewayReplicasFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
    }

    [Fact]
    public async Task Requests_keep_succeeding_when_one_replica_of_a_service_dies()
    {
        var auth = fixture.App.Instances("auth");
        Assert.Equal(2, auth.Count);
        using var client = new HttpClient { BaseAddress = new Uri(GatewayReplicas[0]) };

        await fixture.App.KillResourceAsync(auth[0]);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.GetAsync(new Uri("/.well-known/openid-configuration", UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        // The auth endpoints arrive with the auth service; until then auth's own 404 proves it answered.
        Assert.All(statuses, s => Assert.True(s is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout), $"got {s}"));
    }
}
