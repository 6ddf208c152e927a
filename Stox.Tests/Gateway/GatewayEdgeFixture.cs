using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Tests.Auth;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Gateway;

/// <summary>
/// The real gateway (with Redis) in front of a <see cref="DestinationStub"/> that plays auth, jobs and the frontend,
/// with short timeouts, a small upload limit and one trusted proxy, for the edge behaviour that needs a destination
/// the test controls: slow answers, endless streams, large bodies, forwarded addresses.
/// </summary>
public sealed class GatewayEdgeFixture : AppModelFixture
{
    public const int AnonymousLimit = 5;
    public const int GenerationsLimit = 3;
    public const long UploadLimit = 56L * 1024 * 1024;
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A client address that is loopback but not 127.0.0.1: the gateway must not trust what it forwards.</summary>
    public static readonly IPAddress UntrustedClient = IPAddress.Parse("127.0.0.2");

    /// <summary>The proxy in front of the gateway listed in <c>Gateway:KnownProxies</c>.</summary>
    public static readonly IPAddress TrustedProxy = IPAddress.Parse("127.0.0.3");

    public DestinationStub Destination { get; private set; } = null!;

    public OtlpTestReceiver Telemetry { get; private set; } = null!;

    public Uri Gateway => App.GetEndpoint("gateway");

    public HttpClient CreateClient(IPAddress? from = null)
    {
        var handler = new SocketsHttpHandler();
        if (from is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return new HttpClient(handler) { BaseAddress = Gateway };
    }

    /// <summary>A valid access token, signed with the key the stub publishes as auth's JWKS.</summary>
    public string CreateToken(Guid? user = null) => TestTokens.Sign(
        new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "at+jwt", ["kid"] = DestinationStub.KeyId },
        TestTokens.Claims(user ?? Guid.NewGuid()),
        Destination.SigningKey);

    public override async Task InitializeAsync()
    {
        Destination = await DestinationStub.StartAsync();
        Telemetry = await OtlpTestReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Telemetry.DisposeAsync();
        await Destination.DisposeAsync();
    }

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        builder.Resources.Remove(builder.Resources.Single(r => r.Name == "processing"));
        foreach (var service in new[] { "auth", "jobs", "frontend" })
        {
            builder.ReplaceWithUrl(service, Destination.Url);
        }

        builder.KeepOnly("gateway").ExportTelemetryTo(Telemetry);
        builder.Project("gateway")
            .WithEnvironment("Gateway__RequestTimeout", RequestTimeout.ToString("c", CultureInfo.InvariantCulture))
            .WithEnvironment("Gateway__UploadTimeout", "00:00:30")
            .WithEnvironment("Gateway__MaxUploadBodyBytes", UploadLimit.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Gateway__KnownProxies__0", TrustedProxy.ToString())
            .WithEnvironment("Gateway__RateLimits__Anonymous", AnonymousLimit.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Gateway__RateLimits__Generations", GenerationsLimit.ToString(CultureInfo.InvariantCulture));
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayEdgeCollection : ICollectionFixture<GatewayEdgeFixture>
{
    public const string Name = "gateway-edge";
}
