using Xunit.Abstractions;
using Stox.Hosting.Publishing;
using YamlDotNet.RepresentationModel;
using static Stox.Tests.Publishing.PublishingTestSupport;

namespace Stox.Tests.Publishing;

/// <summary>The Kubernetes manifests: they parse, and refer only to images, Secrets and ConfigMaps they define.</summary>
public sealed class KubernetesPublisherTests : IDisposable
{
    private static readonly string[] Projects = ["auth", "jobs", "processing", "frontend", "gateway"];
    private static readonly string[] Servers = ["postgres", "cache", "messaging", "storage"];

    private readonly string _folder = NewTempDirectory();
    private readonly ITestOutputHelper _output;

    public KubernetesPublisherTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Every_document_parses_and_the_kustomization_lists_every_file()
    {
        var written = await PublishAsync("kubernetes", _folder);
        var documents = LoadAll();

        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(Text(d, "apiVersion")));
            Assert.False(string.IsNullOrEmpty(Text(d, "kind")));
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", Text(d, "metadata", "name")!);
        });
        var kustomization = Load(Path.Combine(_folder, "kustomization.yaml")).Single();
        var listed = ((YamlSequenceNode)kustomization["resources"]).Children.Select(c => c.ToString()).ToList();
        Assert.Equal(written.Select(Path.GetFileName).Where(f => f != "kustomization.yaml"), listed);
    }

    [Fact]
    public async Task Each_server_is_a_StatefulSet_with_a_Service_and_each_project_a_Deployment_with_probes()
    {
        await PublishAsync("kubernetes", _folder);
        var documents = LoadAll();

        Assert.Equal(Servers.Order(), Of(documents, "StatefulSet").Select(d => Text(d, "metadata", "name")!).Order());
        Assert.Equal(Projects.Order(), Of(documents, "Deployment").Select(d => Text(d, "metadata", "name")!).Order());
        Assert.Equal(Servers.Concat(Projects).Order(), Of(documents, "Service").Select(d => Text(d, "metadata", "name")!).Order());

        foreach (var deployment in Of(documents, "Deployment"))
        {
            var name = Text(deployment, "metadata", "name");
            Assert.Equal(name == "processing" ? "2" : "1", Text(deployment, "spec", "replicas"));
            var container = Containers(deployment).Single();
            Assert.Equal("/health", Text(container, "readinessProbe", "httpGet", "path"));
            Assert.Equal("/alive", Text(container, "livenessProbe", "httpGet", "path"));
            Assert.Equal("8080", Text(container, "readinessProbe", "httpGet", "port"));
        }

        var gateway = Of(documents, "Service").Single(s => Text(s, "metadata", "name") == "gateway");
        Assert.Equal("LoadBalancer", Text(gateway, "spec", "type"));
        Assert.All(Of(documents, "Service").Where(s => Text(s, "metadata", "name") != "gateway"), s => Assert.Equal("ClusterIP", Text(s, "spec", "type")));
        Assert.Single(Of(documents, "Job"), j => Text(j, "metadata", "name") == "storage-init");
    }

    [Fact]
    public async Task Only_images_from_the_app_model_and_only_secrets_and_config_maps_it_defines()
    {
        await PublishAsync("kubernetes", _folder);
        var documents = LoadAll();
        var model = await ModelAsync();
        var context = new PublishingContext(_folder, new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        var images = model.Servers.Select(s => s.Image).Concat(model.Projects.Select(context.ImageOf)).ToHashSet();

        var secrets = Of(documents, "Secret").ToDictionary(
            s => Text(s, "metadata", "name")!,
            s => ((YamlMappingNode)s["stringData"]).Children.Keys.Select(k => k.ToString()).ToHashSet());
        var configMaps = Of(documents, "ConfigMap").Select(c => Text(c, "metadata", "name")).ToHashSet();
        var workloads = documents.Where(d => Text(d, "kind") is "Deployment" or "StatefulSet" or "Job").ToList();

        foreach (var container in workloads.SelectMany(Containers))
        {
            Assert.Contains(Text(container, "image")!, images);
            if (container.Children.TryGetValue(new YamlScalarNode("env"), out var env))
            {
                foreach (var variable in ((YamlSequenceNode)env).Children.Cast<YamlMappingNode>())
                {
                    var secret = Text(variable, "valueFrom", "secretKeyRef", "name");
                    if (secret is not null)
                    {
                        Assert.True(secrets.TryGetValue(secret, out var keys), $"Secret '{secret}' is not defined");
                        Assert.Contains(Text(variable, "valueFrom", "secretKeyRef", "key")!, keys);
                    }
                }
            }
        }

        foreach (var workload in workloads)
        {
            var podSpec = (YamlMappingNode)((YamlMappingNode)workload["spec"])["template"]["spec"];
            if (podSpec.Children.TryGetValue(new YamlScalarNode("volumes"), out var volumes))
            {
                foreach (var volume in ((YamlSequenceNode)volumes).Children.Cast<YamlMappingNode>())
                {
                    Assert.Contains(Text(volume, "configMap", "name"), configMaps);
                }
            }
        }

        // Every Service selects the pods of a workload of the same name.
        foreach (var service in Of(documents, "Service"))
        {
            var selector = Text(service, "spec", "selector", "app.kubernetes.io/name");
            Assert.Contains(workloads, w => Text(w, "spec", "template", "metadata", "labels", "app.kubernetes.io/name") == selector);
        }
    }

    [Fact]
    public async Task Services_read_their_connection_strings_from_one_secret_that_points_at_the_servers()
    {
        await PublishAsync("kubernetes", _folder);
        var documents = LoadAll();
        var connectionStrings = (YamlMappingNode)Of(documents, "Secret").Single(s => Text(s, "metadata", "name") == KubernetesPublisher.ConnectionStringsSecret)["stringData"];
        var parameters = (YamlMappingNode)Of(documents, "Secret").Single(s => Text(s, "metadata", "name") == KubernetesPublisher.ParametersSecret)["stringData"];

        Assert.Equal(
            $"Host=postgres;Port=5432;Username=postgres;Password={Text(parameters, "postgres-password")};Database=jobsdb",
            Text(connectionStrings, "jobsdb"));
        Assert.Equal($"amqp://guest:{Text(parameters, "messaging-password")}@messaging:5672", Text(connectionStrings, "messaging"));

        var jobs = Containers(Of(documents, "Deployment").Single(d => Text(d, "metadata", "name") == "jobs")).Single();
        var env = ((YamlSequenceNode)jobs["env"]).Children.Cast<YamlMappingNode>().ToDictionary(v => Text(v, "name")!);
        Assert.Equal("jobsdb", Text(env["ConnectionStrings__jobsdb"], "valueFrom", "secretKeyRef", "key"));
        Assert.Equal("http://auth:8080", Text(env["services__auth__http__0"], "value"));

        // Secrets appear in secrets.yaml only.
        foreach (var file in Directory.GetFiles(_folder, "*.yaml").Where(f => Path.GetFileName(f) != KubernetesPublisher.SecretsFileName))
        {
            var text = await File.ReadAllTextAsync(file);
            Assert.All(parameters.Children.Values, v => Assert.DoesNotContain(v.ToString(), text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Publishing_again_keeps_the_secrets()
    {
        await PublishAsync("kubernetes", _folder);
        var first = await File.ReadAllTextAsync(Path.Combine(_folder, KubernetesPublisher.SecretsFileName));
        await PublishAsync("kubernetes", _folder);

        Assert.Equal(first, await File.ReadAllTextAsync(Path.Combine(_folder, KubernetesPublisher.SecretsFileName)));
    }

    [Fact]
    public async Task Kustomize_builds_the_folder()
    {
        await PublishAsync("kubernetes", _folder);
        var kubectl = FindOnPath("kubectl");
        if (kubectl is null)
        {
            _output.WriteLine("NOTE: kubectl is not installed; the manifests were only parsed.");
            return;
        }

        // kubectl kustomize works offline and checks every document is a well-formed object.
        var result = await RunAsync(kubectl, ["kustomize", _folder], _folder, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Equal(LoadAll().Count, result.Output.Split("\n---\n").Length);
    }

    private List<YamlMappingNode> LoadAll() =>
        Directory.GetFiles(_folder, "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .Order(StringComparer.Ordinal)
            .SelectMany(Load)
            .ToList();

    private static List<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static IEnumerable<YamlMappingNode> Of(IEnumerable<YamlMappingNode> documents, string kind) =>
        documents.Where(d => Text(d, "kind") == kind);

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode workload) =>
        ((YamlSequenceNode)((YamlMappingNode)workload["spec"])["template"]["spec"]["containers"]).Children.Cast<YamlMappingNode>();

    private static string? Text(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return (current as YamlScalarNode)?.Value;
    }
}
