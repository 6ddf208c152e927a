using Stox.Hosting.Postgres;
using Stox.Hosting.Projects;
using Stox.Hosting.RabbitMQ;
using Stox.Hosting.Redis;
using Stox.Hosting.S3;

namespace Stox.Hosting.Orchestration;

/// <summary>
/// Starts the resources in dependency order (WaitFor), as many at once as the graph allows, and stops
/// them in reverse. One resource's failure is reported by name with its last log lines.
/// </summary>
internal sealed class Orchestrator
{
    private readonly Dictionary<string, ResourceRunner> _runners = new(StringComparer.Ordinal);
    private readonly RunContext _context;

    public Orchestrator(IEnumerable<IResource> resources, RunContext context)
    {
        _context = context;
        foreach (var resource in resources)
        {
            ResourceRunner? runner = resource switch
            {
                PostgresServerResource r => new PostgresRunner(r, context),
                PostgresDatabaseResource r => new PostgresDatabaseRunner(r, context),
                RedisResource r => new RedisRunner(r, context),
                RabbitMQServerResource r => new RabbitMQRunner(r, context),
                S3StorageResource r => new S3Runner(r, context),
                ProjectResource r => new ProjectRunner(r, context),
                _ => null,
            };
            if (runner is null)
            {
                continue;
            }

            runner.UnexpectedExit += OnUnexpectedExit;
            _runners[resource.Name] = runner;
            context.Notifications.Register(resource.Name, runner.Type);
        }
    }

    /// <summary>Raised with the resource name and exit code when a running resource dies.</summary>
    public event Action<string, int>? ResourceFailed;

    public IReadOnlyCollection<int> ProcessIds => _runners.Values.SelectMany(r => r.ProcessIds).ToList();

    public async Task StartAllAsync(CancellationToken cancellationToken)
    {
        foreach (var runner in _runners.Values)
        {
            runner.AllocateEndpoints();
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Dictionary<string, Task>(StringComparer.Ordinal);
        Task StartInOrder(ResourceRunner runner)
        {
            if (!tasks.TryGetValue(runner.Resource.Name, out var task))
            {
                var dependencies = Dependencies(runner.Resource).Select(d => StartInOrder(_runners[d.Name])).ToList();
                task = StartAfterAsync(runner, dependencies, failed);
                tasks[runner.Resource.Name] = task;
            }

            return task;
        }

        foreach (var runner in _runners.Values)
        {
            _ = StartInOrder(runner);
        }

        try
        {
            await Task.WhenAll(tasks.Values);
        }
        catch
        {
            var first = tasks.Values.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            await StopAllAsync();
            if (first is not null)
            {
                throw first;
            }

            throw;
        }
    }

    /// <summary>Stops projects before the servers they use: a resource stops once everything that waits for it has.</summary>
    public async Task StopAllAsync()
    {
        var stops = new Dictionary<string, Task>(StringComparer.Ordinal);
        Task StopInOrder(ResourceRunner runner)
        {
            if (!stops.TryGetValue(runner.Resource.Name, out var task))
            {
                var dependents = _runners.Values.Where(r => Dependencies(r.Resource).Contains(runner.Resource)).Select(StopInOrder).ToList();
                task = StopAfterAsync(runner, dependents);
                stops[runner.Resource.Name] = task;
            }

            return task;
        }

        await Task.WhenAll(_runners.Values.Select(StopInOrder).ToList());
    }

    public async Task StopResourceAsync(string name)
    {
        var runner = GetRunner(name);
        _context.Notifications.Publish(name, s => s with { State = KnownResourceStates.Stopping });
        await runner.StopAsync();
        _context.Notifications.Publish(name, s => s with { State = KnownResourceStates.Finished, Health = ResourceHealth.Unknown, ProcessIds = [] });
    }

    /// <summary>Stops or kills one replica; the resource stays Running while another replica is, and is not restarted.</summary>
    public async Task StopReplicaAsync(string name, int index, bool kill)
    {
        var runner = GetRunner(name);
        await runner.StopReplicaAsync(index, kill);
        var processIds = runner.ProcessIds.ToList();
        _context.Notifications.Publish(name, s => processIds.Count > 0
            ? s with { ProcessIds = processIds }
            : s with { State = KnownResourceStates.Finished, Health = ResourceHealth.Unknown, ProcessIds = [] });
    }

    public async Task StartResourceAsync(string name, CancellationToken cancellationToken)
    {
        var runner = GetRunner(name);
        await StartOneAsync(runner, cancellationToken, restart: true);
    }

    private ResourceRunner GetRunner(string name) =>
        _runners.GetValueOrDefault(name) ?? throw new ArgumentException($"There is no runnable resource named '{name}'.", nameof(name));

    private async Task StartAfterAsync(ResourceRunner runner, List<Task> dependencies, CancellationTokenSource failed)
    {
        _context.Notifications.Publish(runner.Resource.Name, s => s with { State = KnownResourceStates.Waiting });
        try
        {
            await Task.WhenAll(dependencies);
            await StartOneAsync(runner, failed.Token, restart: false);
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }

    private async Task StartOneAsync(ResourceRunner runner, CancellationToken cancellationToken, bool restart)
    {
        var name = runner.Resource.Name;
        _context.Notifications.Publish(name, s => s with { State = KnownResourceStates.Starting, Health = ResourceHealth.Unhealthy, Error = null, ExitCode = null });
        try
        {
            await runner.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _context.Notifications.Publish(name, s => s with { State = KnownResourceStates.NotStarted, Health = ResourceHealth.Unknown });
            throw;
        }
        catch (Exception ex)
        {
            var error = ex is DistributedApplicationException ? ex.Message : $"Resource '{name}' failed to start: {ex.Message}";
            _context.Notifications.Publish(name, s => s with { State = KnownResourceStates.FailedToStart, Health = ResourceHealth.Unhealthy, Error = error });
            throw ex is DistributedApplicationException ? ex : new DistributedApplicationException(error, ex);
        }

        _context.Notifications.Publish(name, s => s with
        {
            State = KnownResourceStates.Running,
            Health = ResourceHealth.Healthy,
            Urls = runner.Urls,
            ProcessIds = runner.ProcessIds.ToList(),
            StartedAt = DateTimeOffset.UtcNow,
            Restarts = restart ? s.Restarts + 1 : s.Restarts,
        });
    }

    private async Task StopAfterAsync(ResourceRunner runner, List<Task> dependents)
    {
        await Task.WhenAll(dependents);
        var name = runner.Resource.Name;
        var wasRunning = _context.Notifications.Get(name)?.State is KnownResourceStates.Running or KnownResourceStates.Starting or KnownResourceStates.Waiting;
        if (wasRunning)
        {
            _context.Notifications.Publish(name, s => s with { State = KnownResourceStates.Stopping });
        }

        // Stopping is idempotent, and a start cut short or a crash may have left processes behind: always stop.
        try
        {
            await runner.StopAsync();
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException)
        {
            _context.Logs.Write(name, $"Error while stopping: {ex.Message}", isError: true);
        }

        // A failure stays visible; a resource that was running is now finished.
        _context.Notifications.Publish(name, s => s with
        {
            State = wasRunning ? KnownResourceStates.Finished : s.State,
            Health = wasRunning ? ResourceHealth.Unknown : s.Health,
            ProcessIds = [],
        });
    }

    private IEnumerable<IResource> Dependencies(IResource resource)
    {
        var result = new List<IResource>();
        if (resource is Resource r)
        {
            result.AddRange(r.WaitsFor);
        }

        if (resource is IResourceWithParent child)
        {
            result.Add(child.Parent);
        }

        return result.Distinct().Where(d => _runners.ContainsKey(d.Name));
    }

    private void OnUnexpectedExit(ResourceRunner runner, int exitCode)
    {
        var name = runner.Resource.Name;
        var error = $"Resource '{name}' exited unexpectedly with code {exitCode}.";
        _context.Logs.Write(name, error, isError: true);
        if (_context.Notifications.Get(name)?.State == KnownResourceStates.Running)
        {
            _context.Notifications.Publish(name, s => s with { State = KnownResourceStates.Exited, Health = ResourceHealth.Unhealthy, ExitCode = exitCode, Error = error });
            ResourceFailed?.Invoke(name, exitCode);
        }
    }
}
