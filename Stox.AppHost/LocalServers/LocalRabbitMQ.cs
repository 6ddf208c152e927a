using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace Stox.AppHost.LocalServers;

/// <summary>
/// RabbitMQ from Debian's rabbitmq-server package as a local process, with every folder of its own and Erlang's
/// port mapper (epmd) on a private port beside it, so no daemon outlives it. Connection string and properties are
/// those of Aspire's RabbitMQServerResource.
/// </summary>
public sealed class LocalRabbitMQResource(string name, ParameterResource password, string folder)
    : ExecutableResource(name, ProcessWrapper.Shell, folder), IResourceWithConnectionString
{
    internal const string UserName = "guest";

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public EndpointReferenceExpression Host => PrimaryEndpoint.Property(EndpointProperty.Host);

    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    public ReferenceExpression ConnectionStringExpression => UriExpression;

    public ReferenceExpression UriExpression =>
        ReferenceExpression.Create($"amqp://{UserName}:{PasswordParameter:uri}@{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Host}")),
        new("Port", ReferenceExpression.Create($"{Port}")),
        new("Username", ReferenceExpression.Create($"{UserName}")),
        new("Password", ReferenceExpression.Create($"{PasswordParameter}")),
        new("Uri", UriExpression),
    ];
}

internal static class LocalRabbitMQBuilderExtensions
{
    public static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQ(this IDistributedApplicationBuilder builder, string name, LocalServerState state)
    {
        // No special characters: the password goes into a URI.
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var folder = state.For(name);
        var broker = new LocalRabbitMQResource(name, password, folder);
        var server = Binaries.Find(name, "rabbitmq-server", "rabbitmq-server", "/usr/lib/rabbitmq/bin");
        var epmd = Binaries.Find(name, "epmd", "erlang-base", ["/usr/bin", .. Binaries.Versioned("/usr/lib/erlang", "bin")]);
        var epmdPort = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var config = Path.Combine(folder, "rabbitmq.conf");

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(broker, async (_, ct) =>
        {
            foreach (var child in new[] { "mnesia", "log", "home" })
            {
                Directory.CreateDirectory(Path.Combine(folder, child));
            }

            await File.WriteAllTextAsync(config, string.Join('\n',
            [
                $"default_user = {LocalRabbitMQResource.UserName}",
                $"default_pass = {await password.GetValueAsync(ct)}",
                "loopback_users = none",
                "log.console = true",
                "log.console.level = warning",
                "log.file = false",
            ]) + "\n", ct);
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await File.WriteAllTextAsync(Path.Combine(folder, "enabled_plugins"), "[].\n", ct);
        });

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new RabbitMQConnectCheck(broker), failureStatus: null, tags: null));

        return builder.AddResource(broker)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false)
            .WithEnvironment("HOME", Path.Combine(folder, "home"))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(folder, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(folder, "log"))
            .WithEnvironment("RABBITMQ_LOGS", "-")
            // Each broker has a port mapper of its own, so the node name needs to be unique only within it.
            .WithEnvironment("RABBITMQ_NODENAME", $"{name}@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["RABBITMQ_NODE_PORT"] = broker.PrimaryEndpoint.Property(EndpointProperty.TargetPort);
                context.EnvironmentVariables["RABBITMQ_DIST_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            })
            .WithEnvironment("RABBITMQ_CONFIG_FILE", config)
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(folder, "enabled_plugins"))
            .WithEnvironment("ERL_EPMD_PORT", epmdPort)
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            // Erlang's schedulers spin while idle; on a machine the services share, spinning slows everyone's start.
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-start_epmd false +sbwt none +sbwtdcpu none +sbwtdio none")
            .WithArgs(ProcessWrapper.Arguments(name, "TERM", $"{epmd} -port {epmdPort} -address 127.0.0.1", [server]).ToArray())
            .WithServerType("RabbitMQ")
            .WithIconName("Mailbox")
            .WithHealthCheck(healthCheckKey);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Healthy once a new AMQP connection opens; a fresh connection each time, so a restart is seen.</summary>
    private sealed class RabbitMQConnectCheck(LocalRabbitMQResource broker) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var factory = new ConnectionFactory
                {
                    Uri = new Uri(await broker.ConnectionStringExpression.GetValueAsync(cancellationToken) ?? ""),
                    RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
                    AutomaticRecoveryEnabled = false,
                };
                await using var connection = await factory.CreateConnectionAsync("stox-apphost-health", cancellationToken);
                return connection.IsOpen ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The connection closed.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }
    }
}
