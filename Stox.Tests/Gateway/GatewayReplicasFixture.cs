using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Gateway;

/// <summary>
/// The whole system with two gateway replicas and two auth replicas, low limits and a listed CORS origin,
/// for the edge behaviour that needs its own settings.
/// </summary>
public sealed class GatewayReplicasFixture : AppModelFixture
{
    public const string AllowedOrigin = "https://app.stox.test";
    public const int CredentialsLimit = 6;
    public const int MaxBodyBytes = 64 * 1024;

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        // Two gateway replicas share one port only behind DCP's proxy (as behind a Kubernetes Service).
        builder.Project("gateway")
            .WithReplicas(2)
            .WithEndpoint("http", endpoint => endpoint.IsProxied = true)
            .WithEnvironment("Gateway__RateLimits__Credentials", CredentialsLimit.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Gateway__MaxRequestBodyBytes", MaxBodyBytes.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Gateway__AllowedOrigins__0", AllowedOrigin)
            .WithEnvironment("Gateway__HealthCheckInterval", "00:00:01");
        builder.Project("auth").WithReplicas(2);
        builder.Project("processing").WithReplicas(1);
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayReplicasCollection : ICollectionFixture<GatewayReplicasFixture>
{
    public const string Name = "gateway-replicas";
}
