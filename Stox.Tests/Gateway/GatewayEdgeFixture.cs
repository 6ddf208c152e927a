using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Stox.Hosting;
using Stox.Hosting.Testing;
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
    public const long UploadLimit = 56L * 1024 * 1024;
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A client address that is loopback but not 127.0.0.1: the gateway must not trust what it forwards.</summary>
    public static readonly IPAddress UntrustedClient = IPAddress.Parse("127.0.0.2");

    /// <summary>The proxy in front of the gateway listed in <c>Gateway:KnownProxies</c>.</summary>
    public static readonly IPAddress TrustedProxy = IPAddress.Parse("127.0.0.3");

    public DestinationStub Destination { get; private set; } = null!;

    public OtlpTestReceiver Telemetry { get; private set; } = null!;

    public Uri Gateway => new(App.ResourceNotifications.Get("gateway")!.Urls[0]);

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

    protected override void ConfigureOptions(DistributedApplicationOptions options)
    {
        options.OtlpEndpoint = Telemetry.Endpoint;
        options.OtlpProtocol = "http/protobuf";
    }

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var service in new[] { "processing", "jobs", "auth", "frontend" })
        {
            builder.RemoveResource(builder.GetResource(service));
        }

        builder.KeepOnly("gateway");
        var gateway = (ProjectResource)builder.GetResource("gateway");
        foreach (var service in new[] { "auth", "jobs", "frontend" })
        {
            gateway.Environment[$"services__{service}__http__0"] = ReferenceExpression.Literal(Destination.Url);
        }

        gateway.Environment["Gateway__RequestTimeout"] = ReferenceExpression.Literal(RequestTimeout.ToString("c", CultureInfo.InvariantCulture));
        gateway.Environment["Gateway__UploadTimeout"] = ReferenceExpression.Literal("00:00:30");
        gateway.Environment["Gateway__MaxUploadBodyBytes"] = ReferenceExpression.Literal(UploadLimit.ToString(CultureInfo.InvariantCulture));
        gateway.Environment["Gateway__KnownProxies__0"] = ReferenceExpression.Literal(TrustedProxy.ToString());
        gateway.Environment["Gateway__RateLimits__Anonymous"] = ReferenceExpression.Literal(AnonymousLimit.ToString(CultureInfo.InvariantCulture));
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayEdgeCollection : ICollectionFixture<GatewayEdgeFixture>
{
    public const string Name = "gateway-edge";
}
