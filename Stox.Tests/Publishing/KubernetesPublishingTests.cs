using YamlDotNet.RepresentationModel;
using static Stox.Tests.Publishing.PublishCommand;

namespace Stox.Tests.Publishing;

/// <summary>The step as `aspire do publish-kubernetes` runs it.</summary>
public sealed class KubernetesFolder() : PublishedFolder("--operation", "publish", "--step", "publish-kubernetes");

/// <summary>The Kubernetes manifests: they build with kustomize, and refer only to images, Secrets and ConfigMaps they define.</summary>
public sealed class KubernetesPublishingTests(KubernetesFolder published) : IClassFixture<KubernetesFolder>
{
    private const string ParametersSecret = "stox-parameters";
    private static readonly string[] Services = ["auth", "jobs", "processing", "frontend", "gateway"];
    private static readonly string[] Servers = ["postgres", "cache", "messaging", "storage"];

    private string Folder => published.Folder;

    [Fact]
    public void Every_document_parses_and_the_kustomization_lists_every_file()
    {
        var documents = LoadAll();

        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(Text(d, "apiVersion")));
            Assert.False(string.IsNullOrEmpty(Text(d, "kind")));
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", Text(d, "metadata", "name")!);
        });
        var kustomization = Load(Path.Combine(Folder, "kustomization.yaml")).Single();
        var listed = ((YamlSequenceNode)kustomization["resources"]).Children.Select(c => c.ToString()).Order(StringComparer.Ordinal);
        Assert.Equal(YamlFiles().Select(Path.GetFileName).Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public void Each_server_is_a_StatefulSet_with_a_Service_and_each_service_a_Deployment_with_probes()
    {
        var documents = LoadAll();

        Assert.Equal(Servers.Order(), Of(documents, "StatefulSet").Select(d => Text(d, "metadata", "name")!).Order());
        Assert.Equal(Services.Order(), Of(documents, "Deployment").Select(d => Text(d, "metadata", "name")!).Order());
        Assert.Equal(Servers.Concat(Services).Order(), Of(documents, "Service").Select(d => Text(d, "metadata", "name")!).Order());
        foreach (var deployment in Of(documents, "Deployment"))
        {
            Assert.Equal(Text(deployment, "metadata", "name") == "processing" ? "2" : "1", Text(deployment, "spec", "replicas"));
            var container = Containers(deployment).Single();
            Assert.Equal("/health", Text(container, "readinessProbe", "httpGet", "path"));
            Assert.Equal("/alive", Text(container, "livenessProbe", "httpGet", "path"));
            Assert.Equal("8080", Text(container, "readinessProbe", "httpGet", "port"));
        }

        Assert.Equal("LoadBalancer", Text(Of(documents, "Service").Single(s => Text(s, "metadata", "name") == "gateway"), "spec", "type"));
        Assert.All(Of(documents, "Service").Where(s => Text(s, "metadata", "name") != "gateway"), s => Assert.Equal("ClusterIP", Text(s, "spec", "type")));
        Assert.Single(Of(documents, "Job"), j => Text(j, "metadata", "name") == "storage-init");
    }

    [Fact]
    public void Only_secrets_and_config_maps_it_defines_and_every_service_selects_a_workload()
    {
        var documents = LoadAll();
        var secrets = Of(documents, "Secret").ToDictionary(
            s => Text(s, "metadata", "name")!,
            s => ((YamlMappingNode)s["stringData"]).Children.Keys.Select(k => k.ToString()).ToHashSet());
        var configMaps = Of(documents, "ConfigMap").Select(c => Text(c, "metadata", "name")).ToHashSet();
        var workloads = documents.Where(d => Text(d, "kind") is "Deployment" or "StatefulSet" or "Job").ToList();

        foreach (var variable in workloads.SelectMany(Containers).SelectMany(Variables))
        {
            if (Text(variable, "valueFrom", "secretKeyRef", "name") is { } secret)
            {
                Assert.True(secrets.TryGetValue(secret, out var keys), $"Secret '{secret}' is not defined");
                Assert.Contains(Text(variable, "valueFrom", "secretKeyRef", "key")!, keys);
            }
        }

        foreach (var podSpec in workloads.Select(w => (YamlMappingNode)((YamlMappingNode)w["spec"])["template"]["spec"]))
        {
            if (podSpec.Children.TryGetValue(new YamlScalarNode("volumes"), out var volumes))
            {
                Assert.All(((YamlSequenceNode)volumes).Children.Cast<YamlMappingNode>(), v => Assert.Contains(Text(v, "configMap", "name"), configMaps));
            }
        }

        foreach (var service in Of(documents, "Service"))
        {
            var selector = Text(service, "spec", "selector", "app.kubernetes.io/name");
            Assert.Contains(workloads, w => Text(w, "spec", "template", "metadata", "labels", "app.kubernetes.io/name") == selector);
        }
    }

    [Fact]
    public void A_secret_inside_a_connection_string_is_expanded_from_a_variable_defined_before_it_and_appears_only_in_the_secret()
    {
        var documents = LoadAll();
        var jobs = Containers(Of(documents, "Deployment").Single(d => Text(d, "metadata", "name") == "jobs")).Single();
        var variables = Variables(jobs).ToList();
        int Index(string name) => variables.FindIndex(v => Text(v, "name") == name);
        string? Value(string name) => Text(variables[Index(name)], "value");

        Assert.Equal("Host=postgres;Port=5432;Username=postgres;Password=$(PARAMETER_POSTGRES_PASSWORD);Database=jobsdb", Value("ConnectionStrings__jobsdb"));
        Assert.Equal("amqp://guest:$(PARAMETER_MESSAGING_PASSWORD_URI_ENCODED)@messaging:5672", Value("ConnectionStrings__messaging"));
        Assert.Equal("postgres-password", Text(variables[Index("PARAMETER_POSTGRES_PASSWORD")], "valueFrom", "secretKeyRef", "key"));
        Assert.True(Index("PARAMETER_POSTGRES_PASSWORD") < Index("ConnectionStrings__jobsdb"), "Kubernetes expands only variables defined earlier");
        Assert.Equal("postgres-password", Text(variables[Index("JOBSDB_PASSWORD")], "valueFrom", "secretKeyRef", "key"));
        Assert.Equal("http://auth:8080", Value("services__auth__http__0"));
        Assert.Equal(-1, Index("services__auth__https__0"));

        var parameters = (YamlMappingNode)Of(documents, "Secret").Single(s => Text(s, "metadata", "name") == ParametersSecret)["stringData"];
        Assert.Equal(
            ["cache-password", "cache-password-uri-encoded", "generation-api-key", "generation-endpoint", "generation-provider", "messaging-password", "messaging-password-uri-encoded", "postgres-password", "postgres-password-uri-encoded", "storage-access-key", "storage-secret-key", "stripe-webhook-secret"],
            parameters.Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        foreach (var file in YamlFiles().Where(f => Path.GetFileName(f) != "secrets.yaml"))
        {
            var text = File.ReadAllText(file);
            // Optional parameters left empty (generation off) have nothing to leak.
            Assert.All(parameters.Children.Values.Select(v => v.ToString()).Where(v => v.Length > 0), v => Assert.DoesNotContain(v, text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Publishing_again_keeps_the_secrets()
    {
        var first = await File.ReadAllTextAsync(Path.Combine(Folder, "secrets.yaml"));
        await published.PublishAgainAsync();

        Assert.Equal(first, await File.ReadAllTextAsync(Path.Combine(Folder, "secrets.yaml")));
    }

    [Fact]
    public async Task Kustomize_builds_the_folder()
    {
        // kubectl kustomize works offline and checks that every document is a well-formed object (./build.sh installs kubectl).
        var kubectl = FindOnPath("kubectl");
        Assert.True(kubectl is not null, "kubectl is not installed: run ./build.sh install.");
        var result = await RunAsync(kubectl, ["kustomize", Folder], Folder, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(LoadAll().Count, result.Output.Split("\n---\n").Length);
    }

    private IEnumerable<string> YamlFiles() =>
        Directory.GetFiles(Folder, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal);

    private List<YamlMappingNode> LoadAll() => [.. YamlFiles().SelectMany(Load)];

    private static List<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static IEnumerable<YamlMappingNode> Of(IEnumerable<YamlMappingNode> documents, string kind) => documents.Where(d => Text(d, "kind") == kind);

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode workload) =>
        ((YamlSequenceNode)((YamlMappingNode)workload["spec"])["template"]["spec"]["containers"]).Children.Cast<YamlMappingNode>();

    private static IEnumerable<YamlMappingNode> Variables(YamlMappingNode container) =>
        container.Children.TryGetValue(new YamlScalarNode("env"), out var env) ? ((YamlSequenceNode)env).Children.Cast<YamlMappingNode>() : [];

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
