namespace Stox.Hosting.Orchestration;

/// <summary>A process to start for a server resource.</summary>
internal sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Environment, string WorkingDirectory, int StopSignal = NativeMethods.SIGTERM, string? LogName = null);

/// <summary>
/// Runs a server (PostgreSQL, Redis, RabbitMQ, S3) from a local binary: prepares its data folder once,
/// starts its processes, probes it until healthy. A port taken in the meantime is retried on another port.
/// </summary>
internal abstract class ServerRunner(Resource resource, RunContext context) : ResourceRunner(resource, context)
{
    private const int MaxAttempts = 3;
    private readonly List<(ManagedProcess Process, int StopSignal)> _processes = [];
    private readonly Lock _lock = new();

    public override IReadOnlyCollection<int> ProcessIds
    {
        get
        {
            lock (_lock)
            {
                return _processes.SelectMany(p => p.Process.AllProcessIds()).ToList();
            }
        }
    }

    /// <summary>Creates the data folder, configuration and first-run state; must be idempotent.</summary>
    protected abstract Task PrepareAsync(CancellationToken cancellationToken);

    protected abstract IReadOnlyList<ProcessSpec> GetProcesses();

    /// <summary>One probe: true when the server answers as it should.</summary>
    protected abstract Task<bool> ProbeAsync(CancellationToken cancellationToken);

    /// <summary>Work after the first healthy probe (create the bucket, the databases).</summary>
    protected virtual Task OnHealthyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A restart after a crash: reap what is left of the previous run first.
        await StopProcessesAsync();
        AllocatePorts();
        for (var attempt = 1; ; attempt++)
        {
            await PrepareAsync(cancellationToken);
            var failure = await TryStartAsync(cancellationToken);
            if (failure is null)
            {
                await OnHealthyAsync(cancellationToken);
                return;
            }

            var portConflict = AnyAllocatedPortTakenByOthers();
            await StopProcessesAsync();
            if (!portConflict || attempt == MaxAttempts)
            {
                throw new DistributedApplicationException(
                    $"Resource '{Resource.Name}' failed to start: {failure}{Environment.NewLine}Last log lines of '{Resource.Name}':{Environment.NewLine}{Context.Logs.Tail(Resource.Name)}");
            }

            Log($"A port of '{Resource.Name}' was taken by another program; retrying on new ports.", isError: true);
            AllocatePorts(reallocate: true);
        }
    }

    public override Task StopAsync() => StopProcessesAsync();

    private async Task<string?> TryStartAsync(CancellationToken cancellationToken)
    {
        foreach (var spec in GetProcesses())
        {
            Context.Environments.Record(Resource.Name, spec.LogName ?? Resource.Name, spec.Environment);
            var process = ManagedProcess.Start(spec.FileName, spec.Arguments, spec.Environment, spec.WorkingDirectory, Context.Logs, spec.LogName ?? Resource.Name);
            lock (_lock)
            {
                _processes.Add((process, spec.StopSignal));
            }

            Supervise(process);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Context.Options.ResourceStartupTimeout);
        while (true)
        {
            var exited = ProcessesSnapshot().FirstOrDefault(p => p.Exited.IsCompleted);
            if (exited is not null)
            {
                return $"its process exited with code {exited.Exited.Result} before it was healthy.";
            }

            try
            {
                if (await ProbeAsync(timeout.Token))
                {
                    foreach (var process in ProcessesSnapshot())
                    {
                        process.TrackDescendants();
                    }

                    return null;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(150), timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return $"it was not healthy within {Context.Options.ResourceStartupTimeout.TotalSeconds:0} s.";
            }
        }
    }

    private List<ManagedProcess> ProcessesSnapshot()
    {
        lock (_lock)
        {
            return _processes.Select(p => p.Process).ToList();
        }
    }

    private async Task StopProcessesAsync()
    {
        List<(ManagedProcess Process, int StopSignal)> processes;
        lock (_lock)
        {
            processes = [.. _processes];
            _processes.Clear();
        }

        // Reverse start order: a server stops before the helper (epmd) it registered with.
        for (var i = processes.Count - 1; i >= 0; i--)
        {
            await processes[i].Process.StopAsync(processes[i].StopSignal, Context.Options.ResourceStopTimeout);
            await processes[i].Process.DisposeAsync();
        }
    }
}
