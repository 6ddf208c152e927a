namespace Stox.Hosting.Orchestration;

/// <summary>Runs one resource in run mode: start it, report when it is healthy, stop it.</summary>
internal abstract class ResourceRunner(Resource resource, RunContext context)
{
    public Resource Resource { get; } = resource;

    protected RunContext Context { get; } = context;

    public abstract string Type { get; }

    /// <summary>Raised when a process of the resource exits while nobody asked it to stop.</summary>
    public event Action<ResourceRunner, int>? UnexpectedExit;

    /// <summary>Starts the resource and returns once it is healthy; throws <see cref="DistributedApplicationException"/> if it cannot.</summary>
    public abstract Task StartAsync(CancellationToken cancellationToken);

    public abstract Task StopAsync();

    /// <summary>Stops one replica of a resource that has several; only projects have replicas.</summary>
    public virtual Task StopReplicaAsync(int index, bool kill) =>
        throw new NotSupportedException($"Resource '{Resource.Name}' has no replicas to stop one by one.");

    public virtual IReadOnlyCollection<int> ProcessIds => [];

    public virtual IReadOnlyList<string> Urls =>
        Resource.Endpoints.Where(e => e.AllocatedPort is not null).Select(e => e.Url).ToList();

    /// <summary>Reports the process's exit as unexpected unless it was asked to stop.</summary>
    protected void Supervise(ManagedProcess process) =>
        _ = process.Exited.ContinueWith(
            t =>
            {
                if (!process.IsStopping)
                {
                    UnexpectedExit?.Invoke(this, t.Result);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    protected void Log(string message, bool isError = false) => Context.Logs.Write(Resource.Name, message, isError);

    /// <summary>
    /// Allocates the resource's ports before anything starts, so resources that reference each other
    /// (both ways, as auth and jobs do) know each other's addresses.
    /// </summary>
    public virtual void AllocateEndpoints() => AllocatePorts();

    /// <summary>Allocates run-mode ports: the preferred one if free, otherwise any free port.</summary>
    protected void AllocatePorts(bool reallocate = false)
    {
        foreach (var endpoint in Resource.Endpoints)
        {
            if (endpoint.AllocatedPort is not null && !reallocate)
            {
                continue;
            }

            var preferred = Context.Options.RandomizePorts ? null : endpoint.PreferredPort;
            if (preferred is { } port && !reallocate)
            {
                if (PortAllocator.IsFree(port))
                {
                    endpoint.AllocatedPort = port;
                    continue;
                }

                Log($"Port {port} for endpoint '{endpoint.Name}' is taken; using a free port instead.", isError: true);
            }

            endpoint.AllocatedPort = PortAllocator.GetFreePort();
        }
    }

    protected bool AnyAllocatedPortTakenByOthers() =>
        Resource.Endpoints.Any(e => e.AllocatedPort is { } port && !PortAllocator.IsFree(port));
}
