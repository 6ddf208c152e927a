using System.Text.RegularExpressions;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;
using static Stox.Tests.Publishing.PublishCommand;

namespace Stox.Tests.Publishing;

/// <summary>`--publisher compose`, the way the docs give it.</summary>
public sealed class ComposeFolder() : PublishedFolder("--publisher", "compose");

/// <summary>The Compose deployment: a file Docker Compose accepts, that starts everything in order with its secrets in .env.</summary>
public sealed partial class ComposePublishingTests(ComposeFolder published, ITestOutputHelper output) : IClassFixture<ComposeFolder>
{
    private string Folder => published.Folder;

    [Fact]
    public void Writes_the_compose_file_the_env_file_and_the_database_script_beside_Aspires_manifest()
    {
        Assert.Equal(
            [".env", "aspire-manifest.json", "docker-compose.yaml", "postgres-init"],
            Directory.EnumerateFileSystemEntries(Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Folder, ".env")));
        var script = File.ReadAllText(Path.Combine(Folder, "postgres-init", "10-databases.sql"));
        Assert.Contains("CREATE DATABASE \"authdb\";", script, StringComparison.Ordinal);
        Assert.Contains("CREATE DATABASE \"jobsdb\";", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_service_runs_from_an_image_and_depends_only_on_services_it_defines()
    {
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

        Assert.All(new[] { "postgres", "cache", "messaging", "storage" }, s => Assert.True(services[s].Children.ContainsKey(new YamlScalarNode("healthcheck")), $"{s} has no health check"));
        var jobsDependsOn = (YamlMappingNode)services["jobs"]["depends_on"];
        Assert.Equal("service_healthy", Scalar((YamlMappingNode)jobsDependsOn["postgres"], "condition"));
        Assert.Equal("service_completed_successfully", Scalar((YamlMappingNode)jobsDependsOn["storage-init"], "condition"));
        Assert.Equal("2", Scalar((YamlMappingNode)services["processing"]["deploy"], "replicas"));
        Assert.Equal(["5180:8080"], ((YamlSequenceNode)services["gateway"]["ports"]).Children.Select(p => p.ToString()));
        Assert.All(services.Where(s => s.Key != "gateway"), s => Assert.False(s.Value.Children.ContainsKey(new YamlScalarNode("ports")), $"{s.Key} is published on the host"));
        Assert.Equal("stox/jobs:latest", Scalar(services["jobs"], "image"));
        Assert.Equal("docker.io/library/postgres:18.3", Scalar(services["postgres"], "image"));
    }

    [Fact]
    public void Services_reach_each_other_by_name_over_http_with_secrets_from_the_env_file()
    {
        var jobs = (YamlMappingNode)Services(LoadCompose())["jobs"]["environment"];

        Assert.Equal("Host=postgres;Port=5432;Username=postgres;Password=${POSTGRES_PASSWORD};Database=jobsdb", Scalar(jobs, "ConnectionStrings__jobsdb"));
        Assert.Equal("postgresql://postgres:${POSTGRES_PASSWORD_URI_ENCODED}@postgres:5432/jobsdb", Scalar(jobs, "JOBSDB_URI"));
        Assert.Equal("cache:6379,password=${CACHE_PASSWORD}", Scalar(jobs, "ConnectionStrings__cache"));
        Assert.Equal("amqp://guest:${MESSAGING_PASSWORD_URI_ENCODED}@messaging:5672", Scalar(jobs, "ConnectionStrings__messaging"));
        Assert.Equal("Endpoint=http://storage:9000;AccessKey=${STORAGE_ACCESS_KEY};SecretKey=${STORAGE_SECRET_KEY};Region=us-east-1;Bucket=images", Scalar(jobs, "ConnectionStrings__storage"));
        Assert.Equal("http://auth:8080", Scalar(jobs, "services__auth__http__0"));
        Assert.Null(Scalar(jobs, "services__auth__https__0"));
        Assert.Equal("8080", Scalar(jobs, "HTTP_PORTS"));
    }

    [Fact]
    public void The_frontend_and_the_gateway_reach_each_other_by_name_and_neither_waits_for_the_other()
    {
        var services = Services(LoadCompose());

        Assert.Equal("http://gateway:8080", Scalar((YamlMappingNode)services["frontend"]["environment"], "services__gateway__http__0"));
        Assert.Equal("http://frontend:8080", Scalar((YamlMappingNode)services["gateway"]["environment"], "services__frontend__http__0"));
        Assert.DoesNotContain(new YamlScalarNode("gateway"), ((YamlMappingNode)services["frontend"]["depends_on"]).Children.Keys);
        Assert.DoesNotContain(new YamlScalarNode("frontend"), ((YamlMappingNode)services["gateway"]["depends_on"]).Children.Keys);
    }

    [Fact]
    public void Every_substitution_is_defined_in_the_env_file_and_no_secret_is_in_the_compose_file()
    {
        var compose = File.ReadAllText(Path.Combine(Folder, "docker-compose.yaml"));
        var env = ReadEnv();

        var substitutions = Substitution().Matches(compose.Replace("$$", string.Empty, StringComparison.Ordinal)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("POSTGRES_PASSWORD", substitutions);
        Assert.All(substitutions, s => Assert.True(env.ContainsKey(s), $"{s} is not in .env"));
        // Optional parameters left empty (generation off) have nothing to leak.
        Assert.All(env.Values.Where(v => v.Length > 0), value => Assert.DoesNotContain(value, compose, StringComparison.Ordinal));
        Assert.All(["GENERATION_PROVIDER", "GENERATION_ENDPOINT", "GENERATION_API_KEY", "STRIPE_WEBHOOK_SECRET"], name => Assert.Equal(string.Empty, env[name]));
        Assert.All(["POSTGRES_PASSWORD", "CACHE_PASSWORD", "MESSAGING_PASSWORD", "STORAGE_ACCESS_KEY", "STORAGE_SECRET_KEY"], name => Assert.Matches("^[A-Za-z0-9]{22}$", env[name]));
        Assert.Equal(env["POSTGRES_PASSWORD"], env["POSTGRES_PASSWORD_URI_ENCODED"]);
    }

    [Fact]
    public async Task Publishing_again_keeps_the_secrets()
    {
        var first = ReadEnv();
        await published.PublishAgainAsync();

        Assert.Equal(first, ReadEnv());
    }

    [Fact]
    public async Task Docker_Compose_accepts_the_file()
    {
        // `config` needs only the client; Compose v2 is a Docker CLI plugin, v1 a separate command (./build.sh installs one).
        var docker = FindOnPath("docker");
        if (docker is not null && (await RunAsync(docker, ["compose", "version"], Folder, TimeSpan.FromMinutes(1))).ExitCode == 0)
        {
            var v2 = await RunAsync(docker, ["compose", "config", "--quiet"], Folder, TimeSpan.FromMinutes(1));
            Assert.True(v2.ExitCode == 0, v2.Output);
            output.WriteLine("checked with docker compose config");
            return;
        }

        var v1 = FindOnPath("docker-compose");
        Assert.True(v1 is not null, "Neither 'docker compose' nor 'docker-compose' is installed: run ./build.sh install.");
        var result = await RunAsync(v1, ["config", "--quiet"], Folder, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Output);
        output.WriteLine("checked with docker-compose config (Compose v1)");
    }

    private YamlMappingNode LoadCompose()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Folder, "docker-compose.yaml")));
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static Dictionary<string, YamlMappingNode> Services(YamlMappingNode compose) =>
        ((YamlMappingNode)compose["services"]).Children.ToDictionary(kv => kv.Key.ToString(), kv => (YamlMappingNode)kv.Value);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private Dictionary<string, string> ReadEnv() =>
        File.ReadAllLines(Path.Combine(Folder, ".env"))
            .Where(l => !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)(?::?-[^}]*)?\}")]
    private static partial Regex Substitution();
}
