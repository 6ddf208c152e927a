using Xunit.Abstractions;
using System.Text.RegularExpressions;
using Stox.Hosting.Publishing;
using YamlDotNet.RepresentationModel;
using static Stox.Tests.Publishing.PublishingTestSupport;

namespace Stox.Tests.Publishing;

/// <summary>The Compose deployment: a file Docker Compose accepts, that starts everything in order with its secrets in .env.</summary>
public sealed partial class ComposePublisherTests : IDisposable
{
    private readonly string _folder = NewTempDirectory();
    private readonly ITestOutputHelper _output;

    public ComposePublisherTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Writes_the_compose_file_the_env_file_and_the_database_script()
    {
        var written = await PublishAsync("compose", _folder);

        Assert.Equal(
            [Path.Combine(_folder, "postgres-init", "10-databases.sql"), Path.Combine(_folder, "docker-compose.yaml"), Path.Combine(_folder, ".env")],
            written);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, ".env")));
        Assert.Contains("CREATE DATABASE \"authdb\";", await File.ReadAllTextAsync(written[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_service_runs_from_an_image_and_depends_only_on_services_it_defines()
    {
        await PublishAsync("compose", _folder);
        var services = Services(LoadCompose());

        Assert.Equal(["postgres", "cache", "messaging", "storage", "storage-init", "auth", "jobs", "processing", "frontend", "gateway"], services.Keys);
        foreach (var (name, service) in services)
        {
            Assert.False(string.IsNullOrWhiteSpace(Scalar(service, "image")), $"{name} has no image");
            if (service.Children.TryGetValue(new YamlScalarNode("depends_on"), out var dependsOn))
            {
                Assert.All(((YamlMappingNode)dependsOn).Children.Keys, d => Assert.Contains(d.ToString(), services.Keys));
            }
        }

        var servers = new[] { "postgres", "cache", "messaging", "storage" };
        Assert.All(servers, s => Assert.True(services[s].Children.ContainsKey(new YamlScalarNode("healthcheck")), $"{s} has no health check"));
        var jobsDependsOn = (YamlMappingNode)services["jobs"]["depends_on"];
        Assert.Equal("service_healthy", Scalar((YamlMappingNode)jobsDependsOn["postgres"], "condition"));
        Assert.Equal("service_completed_successfully", Scalar((YamlMappingNode)jobsDependsOn["storage-init"], "condition"));
        Assert.Equal("2", Scalar((YamlMappingNode)services["processing"]["deploy"], "replicas"));
        Assert.Equal(["5180:8080"], ((YamlSequenceNode)services["gateway"]["ports"]).Children.Select(p => p.ToString()));
        Assert.All(services.Where(s => s.Key != "gateway"), s => Assert.False(s.Value.Children.ContainsKey(new YamlScalarNode("ports")), $"{s.Key} is published on the host"));
        Assert.Equal("stox/jobs:latest", Scalar(services["jobs"], "image"));
    }

    [Fact]
    public async Task Services_reach_each_other_by_name_with_secrets_from_the_env_file()
    {
        await PublishAsync("compose", _folder);
        var jobs = (YamlMappingNode)Services(LoadCompose())["jobs"]["environment"];

        Assert.Equal("Host=postgres;Port=5432;Username=postgres;Password=${POSTGRES_PASSWORD};Database=jobsdb", Scalar(jobs, "ConnectionStrings__jobsdb"));
        Assert.Equal("cache:6379,password=${CACHE_PASSWORD}", Scalar(jobs, "ConnectionStrings__cache"));
        Assert.Equal("amqp://guest:${MESSAGING_PASSWORD}@messaging:5672", Scalar(jobs, "ConnectionStrings__messaging"));
        Assert.Equal("Endpoint=http://storage:9000;AccessKey=${STORAGE_ACCESS_KEY};SecretKey=${STORAGE_SECRET_KEY};Region=us-east-1;Bucket=images", Scalar(jobs, "ConnectionStrings__storage"));
        Assert.Equal("http://auth:8080", Scalar(jobs, "services__auth__http__0"));
        Assert.Equal("8080", Scalar(jobs, "HTTP_PORTS"));
    }

    [Fact]
    public async Task Every_substitution_is_defined_in_the_env_file_and_no_secret_is_in_the_compose_file()
    {
        await PublishAsync("compose", _folder);
        var compose = await File.ReadAllTextAsync(Path.Combine(_folder, "docker-compose.yaml"));
        var env = ReadEnv();

        var substitutions = Substitution().Matches(compose.Replace("$$", string.Empty, StringComparison.Ordinal)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(["CACHE_PASSWORD", "MESSAGING_PASSWORD", "POSTGRES_PASSWORD", "STORAGE_ACCESS_KEY", "STORAGE_SECRET_KEY"], substitutions.Order());
        Assert.All(substitutions, s => Assert.True(env.ContainsKey(s), $"{s} is not in .env"));
        Assert.All(env.Values, value => Assert.DoesNotContain(value, compose, StringComparison.Ordinal));
        Assert.All(env.Values, value => Assert.Matches("^[A-Za-z0-9]{22}$", value));
    }

    [Fact]
    public async Task Publishing_again_keeps_the_secrets()
    {
        await PublishAsync("compose", _folder);
        var first = ReadEnv();
        await PublishAsync("compose", _folder);

        Assert.Equal(first, ReadEnv());
    }

    [Fact]
    public async Task Docker_Compose_accepts_the_file()
    {
        await PublishAsync("compose", _folder);

        // `docker compose config` needs only the client; Compose v2 is a Docker CLI plugin, v1 a separate command.
        var docker = FindOnPath("docker");
        if (docker is not null && (await RunAsync(docker, ["compose", "version"], _folder, TimeSpan.FromMinutes(1))).ExitCode == 0)
        {
            var v2 = await RunAsync(docker, ["compose", "config", "--quiet"], _folder, TimeSpan.FromMinutes(1));
            Assert.True(v2.ExitCode == 0, v2.Output + v2.Error);
            _output.WriteLine("checked with docker compose config");
            return;
        }

        var v1 = FindOnPath("docker-compose");
        if (v1 is not null)
        {
            var result = await RunAsync(v1, ["config", "--quiet"], _folder, TimeSpan.FromMinutes(1));
            Assert.True(result.ExitCode == 0, result.Output + result.Error);
            _output.WriteLine("checked with docker-compose config (Compose v1)");
            return;
        }

        // Neither is installed: the structure checks above are what remains.
        _output.WriteLine("NOTE: neither 'docker compose' nor 'docker-compose' is installed; the file was only parsed.");
    }

    private YamlMappingNode LoadCompose()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Path.Combine(_folder, "docker-compose.yaml")));
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static Dictionary<string, YamlMappingNode> Services(YamlMappingNode compose) =>
        ((YamlMappingNode)compose["services"]).Children.ToDictionary(kv => kv.Key.ToString(), kv => (YamlMappingNode)kv.Value);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private Dictionary<string, string> ReadEnv() =>
        File.ReadAllLines(Path.Combine(_folder, ComposePublisher.EnvFileName))
            .Where(l => !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)(?::?-[^}]*)?\}")]
    private static partial Regex Substitution();
}
