#pragma warning disable ASPIREPIPELINES001 // Aspire's publishing pipeline is marked experimental.

using System.Text.Json.Nodes;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Stox.AppHost.Publishing;

/// <summary>
/// Compose and Kubernetes output as steps of Aspire's publishing pipeline. Each runs after Aspire's own
/// <c>publish-manifest</c> step and reads the manifest it wrote to the same folder:
/// <c>dotnet run --project Stox.AppHost -- --publisher compose --output-path deploy/compose</c>, or
/// <c>aspire do publish-kubernetes --output-path deploy/k8s</c>.
/// </summary>
public static class DeploymentPublishing
{
    private const string ManifestStep = "publish-manifest";
    private const string ManifestFileName = "aspire-manifest.json";

    public static IDistributedApplicationBuilder AddComposeAndKubernetesPublishing(this IDistributedApplicationBuilder builder)
    {
        AddStep(builder, "compose", "Writes docker-compose.yaml and .env for one Docker host.", ComposePublisher.PublishAsync);
        AddStep(builder, "kubernetes", "Writes Kubernetes manifests and a kustomization.yaml.", KubernetesPublisher.PublishAsync);
        return builder;
    }

    private static void AddStep(
        IDistributedApplicationBuilder builder,
        string publisher,
        string description,
        Func<Deployment, string, IConfiguration, CancellationToken, Task<IReadOnlyList<string>>> publish)
    {
        var step = $"publish-{publisher}";
        // `--publisher compose` selects the step as Aspire's `--publisher manifest` selects publish-manifest.
        if (string.Equals(builder.Configuration["Publishing:Publisher"], publisher, StringComparison.OrdinalIgnoreCase)
            && string.IsNullOrEmpty(builder.Configuration["Pipeline:Step"]))
        {
            builder.Configuration["Pipeline:Step"] = step;
        }

        builder.Pipeline.AddStep(new PipelineStep
        {
            Name = step,
            Description = description,
            DependsOnSteps = [ManifestStep],
            Action = async context =>
            {
                var folder = context.Services.GetRequiredService<IOptions<PipelineOptions>>().Value.OutputPath
                    ?? throw new DistributedApplicationException($"'{step}' needs --output-path: the folder to write to.");
                var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, ManifestFileName), context.CancellationToken))!.AsObject();
                var configuration = context.Services.GetRequiredService<IConfiguration>();
                var deployment = Deployment.Read(manifest, context.Model, configuration);
                foreach (var file in await publish(deployment, folder, configuration, context.CancellationToken))
                {
                    context.Logger.LogInformation("Wrote {File}", Path.GetFullPath(file));
                }
            },
        });
    }
}
