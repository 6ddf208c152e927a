using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Stox.AppHost;

/// <summary>
/// Once every resource is healthy, the AppHost says so on its console with the time it took and each resource's
/// URLs, the public gateway first: what a person running <c>./build.sh run</c> needs, and what the benchmarks wait for.
/// </summary>
internal static class StartupReport
{
    public static IDistributedApplicationBuilder AddStartupReport(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var started = Stopwatch.StartNew();
        // From before the start, so each resource's own time is seen (AfterResourcesCreatedEvent waits for every WaitFor).
        builder.Eventing.Subscribe<BeforeStartEvent>((e, cancellationToken) =>
        {
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Stox.AppHost");
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            _ = ReportAsync(e.Model, notifications, logger, started, stopping);
            return Task.CompletedTask;
        });
        return builder;
    }

    private static async Task ReportAsync(DistributedApplicationModel model, ResourceNotificationService notifications, ILogger logger, Stopwatch started, CancellationToken stopping)
    {
        var expected = model.Resources
            .Where(r => r is not ParameterResource && !r.Annotations.OfType<ExplicitStartupAnnotation>().Any())
            .ToDictionary(r => r.Name, r => r.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1);
        var healthy = new Dictionary<string, (string Name, CustomResourceSnapshot Snapshot)>();
        var firstHealthy = new Dictionary<string, TimeSpan>();
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                var snapshot = update.Snapshot;
                var isHealthy = snapshot.State?.Text == KnownResourceStates.Running
                    && (snapshot.HealthReports.IsEmpty || snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy);
                if (isHealthy)
                {
                    healthy[update.ResourceId] = (update.Resource.Name, snapshot);
                    firstHealthy.TryAdd(update.ResourceId, started.Elapsed);
                }
                else
                {
                    healthy.Remove(update.ResourceId);
                }

                if (expected.All(e => healthy.Values.Count(h => h.Name == e.Key) >= e.Value))
                {
                    logger.LogInformation("{Report}", Format(healthy, firstHealthy, started.Elapsed));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped before everything was up.
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not follow the resources' health.");
        }
    }

    private static string Format(Dictionary<string, (string Name, CustomResourceSnapshot Snapshot)> resources, Dictionary<string, TimeSpan> firstHealthy, TimeSpan elapsed)
    {
        var text = new StringBuilder($"All resources are healthy after {elapsed.TotalSeconds:0.0} s.").AppendLine();
        foreach (var group in resources.GroupBy(r => r.Value.Name).OrderBy(g => g.Key == "gateway" ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var urls = group.SelectMany(r => r.Value.Snapshot.Urls).Where(u => !u.IsInternal).Select(u => u.Url).Distinct();
            // When each became healthy shows the critical path of a slow start.
            text.Append($"  {group.Key,-12} {group.Count()}x  {group.Max(r => firstHealthy[r.Key]).TotalSeconds,4:0.0} s  {string.Join(' ', urls)}").AppendLine();
        }

        return text.ToString().TrimEnd();
    }
}
