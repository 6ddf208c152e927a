using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Stox.Tests.Infrastructure;

/// <summary>
/// Breaking and mending a running system through Aspire's own resource commands. A replicated project's instances
/// have names of their own (<c>processing-abcdefgh</c>): <see cref="Instances"/> lists them.
/// </summary>
public static class ResourceControl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DistributedApplication, ResourceInstances> Trackers = new();

    /// <summary>The instance names of a resource (one, or one per replica), as DCP runs them, in a stable order.</summary>
    public static IReadOnlyList<string> Instances(this DistributedApplication app, string name) =>
        Trackers.GetValue(app, a => new ResourceInstances(a)).Of(name);

    public static IResource Resource(this DistributedApplication app, string name) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == name);

    /// <summary>The current snapshot of an instance (or of a resource that has one instance).</summary>
    public static CustomResourceSnapshot Snapshot(this DistributedApplication app, string instance) =>
        app.ResourceNotifications.TryGetCurrentState(instance, out var current)
            ? current.Snapshot
            : throw new ArgumentException($"There is no resource instance '{instance}'.", nameof(instance));

    /// <summary>The process DCP started for an instance (for a project, its <c>dotnet run</c>).</summary>
    public static int ProcessId(this DistributedApplication app, string instance) =>
        Convert.ToInt32(app.Snapshot(instance).Properties.Single(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An instance's own address (DCP's proxy is in front of it at the resource's shared address).</summary>
    public static Uri InstanceUrl(this DistributedApplication app, string instance) =>
        new(File.ReadAllText($"/proc/{app.ProcessId(instance).ToString(System.Globalization.CultureInfo.InvariantCulture)}/environ")
            .Split('\0')
            .First(e => e.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal))["ASPNETCORE_URLS=".Length..]
            .Split(';')[0]);

    /// <summary>Stops the resource (every instance at once), or one instance by its name, and waits until it has stopped.</summary>
    public static async Task StopResourceAsync(this DistributedApplication app, string nameOrInstance)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await Task.WhenAll(InstancesOf(app, nameOrInstance).Select(async instance =>
        {
            var process = app.ProcessId(instance);
            // DCP reports a project it stopped through `dotnet run` as Unknown rather than Terminated, so Aspire's stop
            // command retries for about 15 s before it gives up, although the process is gone. What counts is that it is.
            await app.ResourceCommands.ExecuteCommandAsync(instance, KnownResourceCommands.StopCommand, timeout.Token);
            await WaitForInstanceAsync(app, instance, s => IsStopped(s) && !IsAlive(process), timeout.Token);
        }));
    }

    /// <summary>Starts every stopped instance of the resource, or one instance, and waits until it is healthy.</summary>
    public static async Task StartResourceAsync(this DistributedApplication app, string nameOrInstance)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        foreach (var instance in InstancesOf(app, nameOrInstance))
        {
            if (app.ResourceNotifications.TryGetCurrentState(instance, out var current) && !IsStopped(current.Snapshot))
            {
                continue;
            }

            await ExecuteAsync(app, instance, KnownResourceCommands.StartCommand, timeout.Token);
            await WaitHealthyAsync(app, instance, timeout.Token);
        }
    }

    public static async Task RestartResourceAsync(this DistributedApplication app, string nameOrInstance)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        foreach (var instance in InstancesOf(app, nameOrInstance))
        {
            await ExecuteAsync(app, instance, KnownResourceCommands.RestartCommand, timeout.Token);
            await WaitHealthyAsync(app, instance, timeout.Token);
        }
    }

    /// <summary>SIGKILL to an instance's whole process tree, as a crash; DCP does not restart it until asked.</summary>
    public static async Task KillResourceAsync(this DistributedApplication app, string instance)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using (var process = Process.GetProcessById(app.ProcessId(instance)))
        {
            process.Kill(entireProcessTree: true);
        }

        await WaitForInstanceAsync(app, instance, IsStopped, timeout.Token);
    }

    /// <summary>Waits until every resource of the model (every replica) is healthy, or running where it has no health check.</summary>
    public static async Task WaitForAllHealthyAsync(this DistributedApplication app, CancellationToken cancellationToken)
    {
        var expected = app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Where(TestingBuilderExtensions.StartsWithTheApp)
            .ToDictionary(r => r.Name, r => r.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1);
        var healthy = new Dictionary<string, string>();
        var last = new Dictionary<string, string>();
        await foreach (var resourceEvent in app.ResourceNotifications.WatchAsync(cancellationToken).WithDiagnostics(last))
        {
            last[resourceEvent.ResourceId] = $"{resourceEvent.Snapshot.State?.Text}/{resourceEvent.Snapshot.HealthStatus}";
            if (IsHealthy(resourceEvent.Snapshot))
            {
                healthy[resourceEvent.ResourceId] = resourceEvent.Resource.Name;
            }
            else
            {
                healthy.Remove(resourceEvent.ResourceId);
            }

            if (expected.All(e => healthy.Values.Count(n => n == e.Key) >= e.Value))
            {
                return;
            }
        }
    }

    /// <summary>The last lines of an instance's console output, for failure messages.</summary>
    public static async Task<string> TailAsync(this DistributedApplication app, string instance, int lines)
    {
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        var all = new List<string>();
        await foreach (var batch in loggers.GetAllAsync(instance))
        {
            all.AddRange(batch.Select(l => l.Content));
        }

        return string.Join(Environment.NewLine, all.TakeLast(lines));
    }

    private static Task WaitHealthyAsync(DistributedApplication app, string instance, CancellationToken cancellationToken) =>
        WaitForInstanceAsync(app, instance, IsHealthy, cancellationToken);

    private static bool IsHealthy(CustomResourceSnapshot s) =>
        s.State?.Text == KnownResourceStates.Running
        && (s.HealthReports.IsEmpty || s.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy);

    /// <summary>Aspire's own waits match the model's resource name; a replica is matched here by its instance name.</summary>
    public static async Task<CustomResourceSnapshot> WaitForInstanceAsync(DistributedApplication app, string instance, Func<CustomResourceSnapshot, bool> predicate, CancellationToken cancellationToken)
    {
        await foreach (var resourceEvent in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            // A resource with one instance may be named by its model name too.
            if ((resourceEvent.ResourceId == instance || resourceEvent.Resource.Name == instance) && predicate(resourceEvent.Snapshot))
            {
                return resourceEvent.Snapshot;
            }
        }

        throw new OperationCanceledException($"'{instance}' never reached the state waited for.");
    }

    /// <summary>Stopped as Aspire's own commands judge it: DCP's Unknown (it no longer tracks the process) included.</summary>
    private static bool IsStopped(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text is { } state && (KnownResourceStates.TerminalStates.Contains(state) || state is "Unknown");

    private static bool IsAlive(int processId) => Directory.Exists($"/proc/{processId.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    private static IReadOnlyList<string> InstancesOf(DistributedApplication app, string nameOrInstance) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Any(r => r.Name == nameOrInstance)
            ? app.Instances(nameOrInstance)
            : [nameOrInstance];

    private static async Task ExecuteAsync(DistributedApplication app, string instance, string command, CancellationToken cancellationToken)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(instance, command, cancellationToken);
        if (!result.Success)
        {
            throw new InvalidOperationException($"'{command}' on '{instance}' failed: {result.Message}");
        }
    }
}

internal static class WatchDiagnostics
{
    /// <summary>A wait that times out says what each resource was doing.</summary>
    public static async IAsyncEnumerable<ResourceEvent> WithDiagnostics(this IAsyncEnumerable<ResourceEvent> events, Dictionary<string, string> last)
    {
        var enumerator = events.GetAsyncEnumerator();
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync();
                }
                catch (OperationCanceledException ex)
                {
                    throw new TimeoutException("Not every resource became healthy: " + string.Join(", ", last.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")), ex);
                }

                if (!more)
                {
                    yield break;
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }
}

/// <summary>Which instances each resource has, learnt from Aspire's resource notifications (DCP names them).</summary>
internal sealed class ResourceInstances
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _instances = new();

    public ResourceInstances(DistributedApplication app)
    {
        var stopping = app.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
        // The replay of current states is synchronous: every instance that exists is known once the first events are read.
        var watch = app.ResourceNotifications.WatchAsync(stopping).GetAsyncEnumerator(stopping);
        ValueTask<bool> next;
        while ((next = watch.MoveNextAsync()).IsCompletedSuccessfully && next.Result)
        {
            _instances[watch.Current.ResourceId] = watch.Current.Resource.Name;
        }

        _ = KeepWatchingAsync(watch, next);
    }

    public IReadOnlyList<string> Of(string name) => [.. _instances.Where(i => i.Value == name).Select(i => i.Key).Order(StringComparer.Ordinal)];

    private async Task KeepWatchingAsync(IAsyncEnumerator<ResourceEvent> watch, ValueTask<bool> next)
    {
        try
        {
            while (await next)
            {
                _instances[watch.Current.ResourceId] = watch.Current.Resource.Name;
                next = watch.MoveNextAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // The app stopped.
        }
        finally
        {
            await watch.DisposeAsync();
        }
    }
}
