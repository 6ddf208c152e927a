using System.Text.Json;
using YamlDotNet.RepresentationModel;
using static Stox.Tests.Publishing.PublishingTestSupport;

namespace Stox.Tests.Publishing;

/// <summary>The three publishers read one model: every service gets the same variables wherever it is deployed.</summary>
public sealed class PublishersAgreeTests : IDisposable
{
    private readonly string _folder = NewTempDirectory();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Each_service_gets_the_manifests_variables_in_Compose_and_Kubernetes()
    {
        using var manifest = JsonDocument.Parse(await ManifestPublisherTests.ManifestTextAsync(_folder));
        await PublishAsync("compose", Path.Combine(_folder, "compose"));
        await PublishAsync("kubernetes", Path.Combine(_folder, "k8s"));
        var compose = (YamlMappingNode)Load(Path.Combine(_folder, "compose", "docker-compose.yaml"))[0]["services"];

        foreach (var project in new[] { "gateway", "auth", "jobs", "processing", "frontend" })
        {
            // Compose and Kubernetes serve plain HTTP inside the deployment: no https service entries, and the
            // service name Aspire's deployment tools add.
            var expected = manifest.RootElement.GetProperty("resources").GetProperty(project).GetProperty("env")
                .EnumerateObject().Select(p => p.Name)
                .Where(n => !n.EndsWith("__https__0", StringComparison.Ordinal))
                .Append("OTEL_SERVICE_NAME")
                .ToList();

            var inCompose = ((YamlMappingNode)compose[project]["environment"]).Children.Keys.Select(k => k.ToString());
            var deployment = Load(Path.Combine(_folder, "k8s", $"{project}.yaml")).Single(d => d["kind"].ToString() == "Deployment");
            var container = (YamlMappingNode)((YamlSequenceNode)deployment["spec"]["template"]["spec"]["containers"]).Children[0];
            var inKubernetes = ((YamlSequenceNode)container["env"]).Children.Select(v => v["name"].ToString());

            Assert.Equal(expected, inCompose);
            Assert.Equal(expected, inKubernetes);
        }
    }

    private static List<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }
}
