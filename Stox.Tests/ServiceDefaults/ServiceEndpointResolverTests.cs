using Microsoft.Extensions.Configuration;
using Stox.ServiceDefaults.ServiceDiscovery;

namespace Stox.Tests.ServiceDefaults;

public sealed class ServiceEndpointResolverTests
{
    private static ServiceEndpointResolver Resolver(params (string Key, string Value)[] values) =>
        new(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    [Fact]
    public void Resolves_http_from_the_Aspire_environment_shape()
    {
        var resolver = Resolver(("services:auth:http:0", "http://localhost:5001"));

        Assert.Equal(new Uri("http://localhost:5001/api/x?y=1"), resolver.Rewrite(new Uri("http://auth/api/x?y=1")));
    }

    [Fact]
    public void Https_plus_http_prefers_https_and_falls_back_to_http()
    {
        var both = Resolver(("services:auth:http:0", "http://localhost:5001"), ("services:auth:https:0", "https://localhost:5002"));
        var httpOnly = Resolver(("services:auth:http:0", "http://localhost:5001"));

        Assert.Equal(new Uri("https://localhost:5002/"), both.Rewrite(new Uri("https+http://auth/")));
        Assert.Equal(new Uri("http://localhost:5001/"), httpOnly.Rewrite(new Uri("https+http://auth/")));
    }

    [Fact]
    public void Named_endpoints_use_the_underscore_prefix()
    {
        var resolver = Resolver(("services:auth:http:0", "http://localhost:5001"), ("services:auth:grpc:0", "http://localhost:5009"));

        Assert.Equal(new Uri("http://localhost:5009/"), resolver.Rewrite(new Uri("http://_grpc.auth/")));
    }

    [Fact]
    public void Replicas_share_the_calls()
    {
        var resolver = Resolver(("services:processing:http:0", "http://localhost:6001"), ("services:processing:http:1", "http://localhost:6002"));

        var ports = Enumerable.Range(0, 10).Select(_ => resolver.Rewrite(new Uri("http://processing/"))!.Port).ToList();

        Assert.Equal(5, ports.Count(p => p == 6001));
        Assert.Equal(5, ports.Count(p => p == 6002));
    }

    [Fact]
    public void Unknown_hosts_are_left_alone()
    {
        var resolver = Resolver(("services:auth:http:0", "http://localhost:5001"));

        Assert.Null(resolver.Rewrite(new Uri("http://example.test/")));
        Assert.Null(resolver.Rewrite(new Uri("https://auth/")));
    }
}
