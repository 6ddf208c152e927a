using System.Collections.Concurrent;

namespace Stox.Hosting;

public static class KnownResourceStates
{
    public const string NotStarted = "NotStarted";
    public const string Waiting = "Waiting";
    public const string Starting = "Starting";
    public const string Running = "Running";
    public const string Stopping = "Stopping";
    public const string Exited = "Exited";
    public const string FailedToStart = "FailedToStart";
    public const string Finished = "Finished";

    public static bool IsTerminal(string state) => state is Exited or FailedToStart or Finished;
}

public enum ResourceHealth
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>What is known of a resource at one moment.</summary>
public sealed record ResourceSnapshot(
    string Name,
    string Type,
    string State,
    ResourceHealth Health,
    IReadOnlyList<string> Urls,
    IReadOnlyList<int> ProcessIds,
    DateTimeOffset? StartedAt,
    int Restarts,
    int? ExitCode,
    string? Error);

/// <summary>Publishes resource state changes and lets callers wait for a state, as Aspire's service of that name.</summary>
public sealed class ResourceNotificationService
{
    private readonly ConcurrentDictionary<string, ResourceSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly List<(Func<ResourceSnapshot, bool> Predicate, string Name, TaskCompletionSource<ResourceSnapshot> Completion)> _waiters = [];

    public event Action<ResourceSnapshot>? Changed;

    public IReadOnlyCollection<ResourceSnapshot> Snapshots => _snapshots.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    public ResourceSnapshot? Get(string name) => _snapshots.GetValueOrDefault(name);

    public void Publish(string name, Func<ResourceSnapshot, ResourceSnapshot> update)
    {
        ResourceSnapshot snapshot;
        List<TaskCompletionSource<ResourceSnapshot>> completed = [];
        lock (_lock)
        {
            snapshot = update(_snapshots[name]);
            _snapshots[name] = snapshot;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Name == name && _waiters[i].Predicate(snapshot))
                {
                    completed.Add(_waiters[i].Completion);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var completion in completed)
        {
            completion.TrySetResult(snapshot);
        }

        Changed?.Invoke(snapshot);
    }

    internal void Register(string name, string type) =>
        _snapshots[name] = new ResourceSnapshot(name, type, KnownResourceStates.NotStarted, ResourceHealth.Unknown, [], [], null, 0, null, null);

    public Task<ResourceSnapshot> WaitForResourceAsync(string name, string targetState, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(name, s => s.State == targetState, cancellationToken);

    /// <summary>Waits until the resource is running and its health checks pass; fails if it stops first.</summary>
    public async Task<ResourceSnapshot> WaitForResourceHealthyAsync(string name, CancellationToken cancellationToken = default)
    {
        var snapshot = await WaitForResourceAsync(
            name,
            s => (s.State == KnownResourceStates.Running && s.Health == ResourceHealth.Healthy) || KnownResourceStates.IsTerminal(s.State),
            cancellationToken);
        return snapshot.Health == ResourceHealth.Healthy && snapshot.State == KnownResourceStates.Running
            ? snapshot
            : throw new DistributedApplicationException($"Resource '{name}' ended in state {snapshot.State} before it was healthy. {snapshot.Error}");
    }

    public async Task<ResourceSnapshot> WaitForResourceAsync(string name, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken = default)
    {
        var completion = new TaskCompletionSource<ResourceSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (!_snapshots.TryGetValue(name, out var current))
            {
                throw new ArgumentException($"There is no resource named '{name}'.", nameof(name));
            }

            if (predicate(current))
            {
                return current;
            }

            _waiters.Add((predicate, name, completion));
        }

        using var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        return await completion.Task;
    }
}
