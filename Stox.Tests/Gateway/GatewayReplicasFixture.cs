using System.Globalization;
using Stox.Hosting;
using Stox.Hosting.Testing;
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
        var gateway = (ProjectResource)builder.GetResource("gateway");
        gateway.Replicas = 2;
        gateway.Environment["Gateway__RateLimits__Credentials"] = ReferenceExpression.Literal(CredentialsLimit.ToString(CultureInfo.InvariantCulture));
        gateway.Environment["Gateway__MaxRequestBodyBytes"] = ReferenceExpression.Literal(MaxBodyBytes.ToString(CultureInfo.InvariantCulture));
        gateway.Environment["Gateway__AllowedOrigins__0"] = ReferenceExpression.Literal(AllowedOrigin);
        gateway.Environment["Gateway__HealthCheckInterval"] = ReferenceExpression.Literal("00:00:01");
        ((ProjectResource)builder.GetResource("auth")).Replicas = 2;
        ((ProjectResource)builder.GetResource("processing")).Replicas = 1;
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayReplicasCollection : ICollectionFixture<GatewayReplicasFixture>
{
    public const string Name = "gateway-replicas";
}
