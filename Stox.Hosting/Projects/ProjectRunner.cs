using System.Globalization;
using System.Runtime.InteropServices;
using Stox.Hosting.Orchestration;

namespace Stox.Hosting.Projects;

/// <summary>
/// Runs each replica of a project as <c>dotnet {assembly}</c> with exactly the environment an Aspire
/// AppHost gives it, and waits for its <c>/health</c> to answer 200.
/// </summary>
internal sealed class ProjectRunner(ProjectResource project, RunContext context) : ResourceRunner(project, context)
{
    private readonly SortedDictionary<int, ManagedProcess> _replicas = [];
    private readonly Lock _lock = new();

    public override string Type => "Project";

    public override IReadOnlyList<string> Urls => project.GetEndpoint("http").ReplicaUrls;

    public override IReadOnlyCollection<int> ProcessIds
    {
        get
        {
            lock (_lock)
            {
                return _replicas.Values.SelectMany(r => r.AllProcessIds()).ToList();
            }
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var assembly = project.Metadata.AssemblyPath;
        if (!File.Exists(assembly))
        {
            throw new DistributedApplicationException(
                $"Project '{project.Name}' is not built: '{assembly}' does not exist. Build the solution first (dotnet build Stox.Aspire.sln).");
        }

        // A restart after a crash: reap what is left of the previous run first.
        await StopAsync();
        AllocateEndpoints();
        var starts = Enumerable.Range(0, project.Replicas).Select(index => StartReplicaAsync(index, cancellationToken)).ToList();
        await Task.WhenAll(starts);
    }

    public override void AllocateEndpoints()
    {
        AllocatePorts();
        var endpoint = project.GetEndpoint("http");
        if (endpoint.ReplicaPorts.Count != project.Replicas)
        {
            endpoint.ReplicaPorts = [endpoint.Port, .. Enumerable.Range(1, project.Replicas - 1).Select(_ => PortAllocator.GetFreePort())];
        }
    }

    public override async Task StopAsync()
    {
        List<ManagedProcess> replicas;
        lock (_lock)
        {
            replicas = [.. _replicas.Values];
            _replicas.Clear();
        }

        await Task.WhenAll(replicas.Select(async r =>
        {
            await r.StopAsync(NativeMethods.SIGTERM, Context.Options.ResourceStopTimeout);
            await r.DisposeAsync();
        }));
    }

    /// <summary>Stops one replica (SIGTERM, or SIGKILL to its whole tree when <paramref name="kill"/>); the others keep running.</summary>
    public override async Task StopReplicaAsync(int index, bool kill)
    {
        ManagedProcess? replica;
        lock (_lock)
        {
            if (!_replicas.Remove(index, out replica))
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Replica {index} of '{project.Name}' is not running.");
            }
        }

        // SIGKILL cannot be handled, so the grace period only waits for the exit; descendants are killed after.
        await replica.StopAsync(kill ? NativeMethods.SIGKILL : NativeMethods.SIGTERM, Context.Options.ResourceStopTimeout);
        await replica.DisposeAsync();
    }

    private async Task StartReplicaAsync(int index, CancellationToken cancellationToken)
    {
        const int maxAttempts = 3;
        var endpoint = project.GetEndpoint("http");
        for (var attempt = 1; ; attempt++)
        {
            var port = endpoint.ReplicaPorts[index];
            var exited = await TryStartReplicaAsync(index, port, cancellationToken);
            if (exited is null)
            {
                return;
            }

            if (attempt == maxAttempts || PortAllocator.IsFree(port))
            {
                throw new DistributedApplicationException(exited);
            }

            // Ports are chosen before the servers start, seconds earlier: another program may have taken this one since.
            Log($"Port {port} of replica {index} was taken by another program; retrying on a new port.", isError: true);
            var ports = endpoint.ReplicaPorts.ToArray();
            ports[index] = PortAllocator.GetFreePort();
            endpoint.ReplicaPorts = ports;
            if (index == 0)
            {
                endpoint.AllocatedPort = ports[0];
            }
        }
    }

    /// <summary>Starts one replica and waits until it is healthy; returns why when its process exited first.</summary>
    private async Task<string?> TryStartReplicaAsync(int index, int port, CancellationToken cancellationToken)
    {
        var logName = project.Replicas == 1 ? project.Name : $"{project.Name}-{index}";
        var environment = await BuildEnvironmentAsync(index, port, cancellationToken);
        Context.Environments.Record(project.Name, logName, environment);
        var process = ManagedProcess.Start(
            DotnetHost(),
            [project.Metadata.AssemblyPath],
            environment,
            Path.GetDirectoryName(project.Metadata.ProjectPath)!,
            Context.Logs,
            logName);
        ManagedProcess? previous;
        lock (_lock)
        {
            _replicas.Remove(index, out previous);
            _replicas[index] = process;
        }

        if (previous is not null)
        {
            await previous.DisposeAsync();
        }

        Supervise(process);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Context.Options.ResourceStartupTimeout);
        var healthUrl = new Uri($"http://localhost:{port.ToString(CultureInfo.InvariantCulture)}/health");
        try
        {
            while (!await IsHealthyAsync(healthUrl, timeout.Token))
            {
                if (process.Exited.IsCompleted)
                {
                    return $"Resource '{logName}' exited with code {process.Exited.Result} before it was healthy.{Environment.NewLine}Last log lines of '{logName}':{Environment.NewLine}{Context.Logs.Tail(logName)}";
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
            }

            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DistributedApplicationException(
                $"Resource '{logName}' was not healthy within {Context.Options.ResourceStartupTimeout.TotalSeconds:0} s ({healthUrl}).{Environment.NewLine}{Context.Logs.Tail(logName)}");
        }
    }

    private static async Task<bool> IsHealthyAsync(Uri healthUrl, CancellationToken cancellationToken) =>
        await HttpProbe.GetStatusAsync(healthUrl, TimeSpan.FromSeconds(5), cancellationToken) is { } status && (int)status is >= 200 and < 300;

    private async Task<Dictionary<string, string?>> BuildEnvironmentAsync(int index, int port, CancellationToken cancellationToken)
    {
        var options = Context.Options;
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = $"http://localhost:{port.ToString(CultureInfo.InvariantCulture)}",
            ["ASPNETCORE_ENVIRONMENT"] = options.EnvironmentName,
            ["DOTNET_ENVIRONMENT"] = options.EnvironmentName,
            ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
            ["OTEL_SERVICE_NAME"] = project.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={project.Name}-{index.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}",
        };
        if (options.OtlpEndpoint is not null)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = options.OtlpEndpoint;
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = options.OtlpProtocol;
        }

        if (options.EnvironmentName == "Development")
        {
            // Aspire's development defaults: telemetry shows up within a second.
            environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        }

        foreach (var reference in project.References)
        {
            switch (reference)
            {
                case IResourceWithConnectionString withConnectionString:
                    environment[$"ConnectionStrings__{reference.Name}"] = await withConnectionString.ConnectionStringExpression.GetValueAsync(cancellationToken);
                    break;
                case ProjectResource other:
                    foreach (var endpoint in other.Endpoints)
                    {
                        var urls = endpoint.ReplicaUrls;
                        for (var i = 0; i < urls.Count; i++)
                        {
                            environment[$"services__{other.Name}__{endpoint.Name}__{i.ToString(CultureInfo.InvariantCulture)}"] = urls[i];
                        }
                    }

                    break;
            }
        }

        foreach (var (name, value) in project.Environment)
        {
            environment[name] = await value.GetValueAsync(cancellationToken);
        }

        return environment;
    }

    private static string DotnetHost()
    {
        // The runtime lives in {dotnet root}/shared/Microsoft.NETCore.App/{version}/.
        var fromRuntime = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return File.Exists(fromRuntime)
            ? fromRuntime
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    }
}

