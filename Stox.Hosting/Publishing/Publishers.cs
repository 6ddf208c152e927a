using System.Diagnostics;

namespace Stox.Hosting.Publishing;

/// <summary>The publishers <c>--publisher</c> can name, and publish mode's entry point.</summary>
public static class Publishers
{
    public static IReadOnlyList<IPublisher> All { get; } =
    [
        new ManifestPublisher(),
        new ComposePublisher(),
        new KubernetesPublisher(),
    ];

    /// <summary>Checks the command line, builds the shared model and runs the publisher. Starts no process.</summary>
    public static async Task<IReadOnlyList<string>> PublishAsync(
        IReadOnlyList<IResource> resources,
        DistributedApplicationExecutionContext executionContext,
        Microsoft.Extensions.Configuration.IConfiguration configuration,
        CancellationToken cancellationToken = default)
    {
        var publisher = Find(executionContext.Publisher);
        if (string.IsNullOrWhiteSpace(executionContext.OutputPath))
        {
            throw new PublishingUsageException(
                $"Publisher '{publisher.Name}' needs --output-path: {(publisher is ManifestPublisher ? "the manifest file to write" : "the folder to write into")}.{Environment.NewLine}{Usage}");
        }

        var model = PublishingModel.Create(resources);
        return await publisher.PublishAsync(model, new PublishingContext(executionContext.OutputPath, configuration), cancellationToken);
    }

    /// <summary>Publish mode from the command line: prints what was written; 0, or 2 for a usage error, 1 for a failure.</summary>
    internal static async Task<int> RunAsync(
        IReadOnlyList<IResource> resources,
        DistributedApplicationExecutionContext executionContext,
        Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var started = Stopwatch.StartNew();
        try
        {
            var files = await PublishAsync(resources, executionContext, configuration);
            Console.WriteLine($"Published with '{executionContext.Publisher}' in {started.Elapsed.TotalSeconds:0.0} s:");
            foreach (var file in files)
            {
                Console.WriteLine($"  {file}");
            }

            return 0;
        }
        catch (PublishingUsageException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
        catch (Exception ex) when (ex is DistributedApplicationException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"Publishing failed: {ex.Message}");
            return 1;
        }
    }

    public static string Usage =>
        "Usage: --publisher <name> --output-path <path>, where <name> is one of:" + Environment.NewLine +
        string.Join(Environment.NewLine, All.Select(p => $"  {p.Name,-11} {p.Description}"));

    private static IPublisher Find(string? name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new PublishingUsageException(
            $"Unknown publisher '{name}'. Valid publishers: {string.Join(", ", All.Select(p => p.Name))}.{Environment.NewLine}{Usage}");
}
