using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Stox.Hosting.Orchestration;

namespace Stox.Hosting.RabbitMQ;

/// <summary>
/// Runs RabbitMQ from Debian's rabbitmq-server package with every folder, port and the node name of its
/// own. Erlang's port mapper (epmd) runs as our own child on a private port, so no daemon outlives us.
/// </summary>
internal sealed class RabbitMQRunner(RabbitMQServerResource broker, RunContext context) : ServerRunner(broker, context)
{
    private int _epmdPort;
    private int _distributionPort;

    public override string Type => "RabbitMQ";

    protected override Task PrepareAsync(CancellationToken cancellationToken)
    {
        var folder = Context.ResourceDirectory(broker.Name);
        foreach (var child in new[] { "mnesia", "log", "home" })
        {
            Directory.CreateDirectory(Path.Combine(folder, child));
        }

        if (_epmdPort == 0 || !PortAllocator.IsFree(_epmdPort))
        {
            _epmdPort = PortAllocator.GetFreePort();
            _distributionPort = PortAllocator.GetFreePort();
        }

        var port = broker.GetEndpoint("tcp").Port.ToString(CultureInfo.InvariantCulture);
        var config = Path.Combine(folder, "rabbitmq.conf");
        File.WriteAllText(config, string.Join('\n',
        [
            $"listeners.tcp.1 = 127.0.0.1:{port}",
            $"default_user = {broker.UserName}",
            $"default_pass = {broker.PasswordParameter.Value}",
            "loopback_users = none",
            "log.console = true",
            "log.console.level = warning",
            "log.file = false",
        ]) + "\n");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(folder, "enabled_plugins"), "[].\n");
        return Task.CompletedTask;
    }

    protected override IReadOnlyList<ProcessSpec> GetProcesses()
    {
        var server = ExecutableLocator.Find(broker.Name, broker.ExecutablePath, "rabbitmq-server", "rabbitmq-server", "/usr/lib/rabbitmq/bin");
        var epmd = ExecutableLocator.Find(broker.Name, null, "epmd", "erlang-base", ["/usr/bin", .. ExecutableLocator.VersionedDirectories("/usr/lib/erlang", "bin")]);
        var folder = Context.ResourceDirectory(broker.Name);
        var epmdPort = _epmdPort.ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = Path.Combine(folder, "home"),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log"),
            ["RABBITMQ_LOGS"] = "-",
            ["RABBITMQ_NODENAME"] = $"{broker.Name}-{broker.GetEndpoint("tcp").Port}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = broker.GetEndpoint("tcp").Port.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = _distributionPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(folder, "rabbitmq.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(folder, "enabled_plugins"),
            ["ERL_EPMD_PORT"] = epmdPort,
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-start_epmd false",
        };
        return
        [
            new ProcessSpec(epmd, ["-port", epmdPort, "-address", "127.0.0.1"], new Dictionary<string, string?>(), folder, LogName: broker.Name),
            new ProcessSpec(server, [], environment, folder),
        ];
    }

    protected override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(await broker.ConnectionStringExpression.GetValueAsync(cancellationToken) ?? string.Empty),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
            AutomaticRecoveryEnabled = false,
        };
        try
        {
            await using var connection = await factory.CreateConnectionAsync("stox-apphost-probe", cancellationToken);
            return connection.IsOpen;
        }
        catch (BrokerUnreachableException)
        {
            return false;
        }
    }
}
