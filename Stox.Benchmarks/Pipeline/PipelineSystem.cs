using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Stox.Benchmarks.Pipeline;

/// <summary>
/// The whole system for one pipeline run: the AppHost's own app model through the testing builder (run mode
/// has no way to choose the number of processing replicas), with the benchmark's settings on two resources.
/// </summary>
internal sealed class PipelineSystem : IAsyncDisposable
{
    private readonly DistributedApplication _app;

    private PipelineSystem(DistributedApplication app, TimeSpan startup)
    {
        _app = app;
        Startup = startup;
    }

    public TimeSpan Startup { get; }

    public Uri Gateway => _app.GetEndpoint("gateway");

    public static async Task<PipelineSystem> StartAsync(int processingReplicas, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(cancellationToken: cancellationToken);
        builder.CreateResourceBuilder<ProjectResource>("processing").WithReplicas(processingReplicas);

        // Far above what the suite uploads: the free tier's 50 a month and the edge's 120 upload requests a
        // minute per user are product policy, not pipeline capacity.
        builder.CreateResourceBuilder<ProjectResource>("auth").WithEnvironment("Auth__MonthlyUploadQuotas__free", "1000000");
        builder.CreateResourceBuilder<ProjectResource>("gateway")
            .WithEnvironment("Gateway__RateLimits__Uploads", 1_000_000.ToString(CultureInfo.InvariantCulture))
            // The gateway has no proxy in front of it: give it a free port rather than 5180.
            .WithEndpoint("http", endpoint => endpoint.Port = null);

        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(5));
            await app.StartAsync(timeout.Token);
            foreach (var resource in new[] { "gateway", "auth", "jobs", "frontend", "processing" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new PipelineSystem(app, started.Elapsed);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
