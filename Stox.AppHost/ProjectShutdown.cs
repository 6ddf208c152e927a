using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Stox.AppHost;

/// <summary>
/// Stops the services within a second when the AppHost stops. DCP stops a project with SIGINT to its
/// <c>dotnet run</c>, which does not pass SIGINT on (in a terminal the child gets Ctrl+C itself), so each service
/// ran on until DCP killed it about 15 s later. <c>dotnet run</c> does pass SIGTERM on, and a service stops
/// gracefully on it; so when the AppHost begins to stop, each project's process gets SIGTERM first, and the servers
/// are stopped once the services have gone (or after <see cref="GracePeriod"/>).
/// </summary>
internal static class ProjectShutdown
{
    private const int SigTerm = 15;

    public static IDistributedApplicationBuilder AddPromptProjectShutdown(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((e, cancellationToken) =>
        {
            var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            var processes = new ConcurrentDictionary<string, int>();
            _ = FollowAsync(notifications, processes, lifetime.ApplicationStopping);
            lifetime.ApplicationStopping.Register(() =>
            {
                var pids = processes.Values.ToArray();
                foreach (var pid in pids)
                {
                    _ = Kill(pid, SigTerm);
                }

                // The servers stop after this returns: a service that is still closing its connections would
                // otherwise wait for a server that has gone (jobs took over 14 s so).
                var deadline = DateTime.UtcNow + GracePeriod;
                while (pids.Any(IsRunning) && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(50);
                }
            });
            return Task.CompletedTask;
        });
        return builder;
    }

    private static async Task FollowAsync(ResourceNotificationService notifications, ConcurrentDictionary<string, int> processes, CancellationToken stopping)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                if (update.Resource is not ProjectResource)
                {
                    continue;
                }

                var pid = update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
                if (update.Snapshot.State?.Text == KnownResourceStates.Running
                    && int.TryParse(Convert.ToString(pid, CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    processes[update.ResourceId] = id;
                }
                else
                {
                    processes.TryRemove(update.ResourceId, out _);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost is stopping.
        }
    }

    // No unsafe code in the AppHost, so DllImport rather than LibraryImport.
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>Exited processes stay as zombies until DCP reaps them.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
