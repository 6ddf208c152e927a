using Stox.Hosting;
using Stox.Hosting.Testing;

namespace Stox.Tests.Gateway;

/// <summary>
/// The whole system with two gateway replicas and two auth replicas, low limits and a listed CORS origin,
/// for the edge behaviour that needs its own settings.
/// </summary>
public sealed class GatewayReplicasFixture : IAsyncLifetime
{
    public const string AllowedOrigin = "https://app.stox.test";
    public const int CredentialsLimit = 6;
    public const int MaxBodyBytes = 64 * 1024;

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();
        var gateway = (ProjectResource)builder.GetResource("gateway");
        gateway.Replicas = 2;
        gateway.Environment["Gateway__RateLimits__Credentials"] = ReferenceExpression.Literal(CredentialsLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        gateway.Environment["Gateway__MaxRequestBodyBytes"] = ReferenceExpression.Literal(MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        gateway.Environment["Gateway__AllowedOrigins__0"] = ReferenceExpression.Literal(AllowedOrigin);
        gateway.Environment["Gateway__HealthCheckInterval"] = ReferenceExpression.Literal("00:00:01");
        ((ProjectResource)builder.GetResource("auth")).Replicas = 2;
        ((ProjectResource)builder.GetResource("processing")).Replicas = 1;
        _app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await _app.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayReplicasCollection : ICollectionFixture<GatewayReplicasFixture>
{
    public const string Name = "gateway-replicas";
}
