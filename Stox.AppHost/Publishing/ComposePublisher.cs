using System.Text;
using Microsoft.Extensions.Configuration;

namespace Stox.AppHost.Publishing;

/// <summary>
/// Writes <c>docker-compose.yaml</c> and <c>.env</c> that run the whole system on one Docker host: the servers from
/// the images Aspire's manifest names, with named data volumes and health checks, a one-shot service that creates
/// the S3 bucket, and the services from the images <c>dotnet publish -t:PublishContainer</c> builds, started in
/// WaitFor order. Secrets live only in <c>.env</c> (mode 0600), which Compose reads for <c>${NAME}</c>.
/// </summary>
internal static class ComposePublisher
{
    public const string ComposeFileName = "docker-compose.yaml";
    public const string EnvFileName = ".env";

    public static async Task<IReadOnlyList<string>> PublishAsync(Deployment deployment, string folder, IConfiguration configuration, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var envPath = Path.Combine(folder, EnvFileName);
        var values = DeploymentValues.Resolve(deployment, File.Exists(envPath) ? ReadEnvFile(envPath, deployment) : [], configuration);

        var written = new List<string>();
        foreach (var server in deployment.Servers.Where(s => s.Databases.Count > 0))
        {
            var initFolder = Path.Combine(folder, $"{server.Name}-init");
            Directory.CreateDirectory(initFolder);
            var script = Path.Combine(initFolder, "10-databases.sql");
            await File.WriteAllTextAsync(script, server.CreateDatabasesSql(), cancellationToken);
            written.Add(script);
        }

        var composePath = Path.Combine(folder, ComposeFileName);
        await File.WriteAllTextAsync(composePath, Yaml.Serialize(ComposeFile(deployment)), cancellationToken);
        written.Add(composePath);

        await DeploymentValues.WriteSecretFileAsync(envPath, EnvFile(deployment, values), cancellationToken);
        written.Add(envPath);
        return written;
    }

    private static Dictionary<string, object> ComposeFile(Deployment deployment)
    {
        var services = Yaml.Map();
        var volumes = Yaml.Map();
        foreach (var server in deployment.Servers)
        {
            services[server.Name] = Server(deployment, server);
            volumes[$"{server.Name}-data"] = Yaml.Map();
            if (server.Bucket is not null)
            {
                services[BucketInitName(server)] = BucketInit(deployment, server);
            }
        }

        foreach (var service in deployment.Services)
        {
            services[service.Name] = Service(deployment, service);
        }

        // No top-level 'name': Compose v1 rejects it; the project is named after the folder, or by -p.
        var file = Yaml.Map();
        file["services"] = services;
        file["volumes"] = volumes;
        return file;
    }

    private static string BucketInitName(DeploymentServer server) => $"{server.Name}-init";

    private static Dictionary<string, object> Server(Deployment deployment, DeploymentServer server)
    {
        var service = Yaml.Map();
        service["image"] = server.Image;
        if (server.Entrypoint is not null)
        {
            service["entrypoint"] = new List<string> { server.Entrypoint };
        }

        if (server.Args.Count > 0)
        {
            service["command"] = server.Args.Select(Escape).ToList();
        }

        service["environment"] = Environment(deployment, server.Environment);
        var mounts = new List<string> { $"{server.Name}-data:{server.DataPath}" };
        if (server.Databases.Count > 0)
        {
            mounts.Add($"./{server.Name}-init:/docker-entrypoint-initdb.d:ro");
        }

        service["volumes"] = mounts;
        service["healthcheck"] = new Dictionary<string, object>
        {
            ["test"] = new List<string> { "CMD-SHELL", Escape(server.HealthCommand) },
            ["interval"] = "5s",
            ["timeout"] = "5s",
            ["retries"] = 30,
            ["start_period"] = "10s",
        };
        service["restart"] = "unless-stopped";
        return service;
    }

    private static Dictionary<string, object> BucketInit(Deployment deployment, DeploymentServer server)
    {
        var service = Yaml.Map();
        service["image"] = server.Image;
        service["entrypoint"] = new List<string> { "/bin/sh", "-c" };
        service["command"] = new List<string> { Escape(server.CreateBucketScript()) };
        service["environment"] = new Dictionary<string, object>
        {
            ["S3_ACCESS_KEY"] = Substitution(deployment.Parameter(server.Bucket!.AccessKeyParameter)),
            ["S3_SECRET_KEY"] = Substitution(deployment.Parameter(server.Bucket.SecretKeyParameter)),
        };
        service["depends_on"] = new Dictionary<string, object> { [server.Name] = Condition("service_healthy") };
        service["restart"] = "no";
        return service;
    }

    private static Dictionary<string, object> Service(Deployment deployment, DeploymentService service)
    {
        var compose = Yaml.Map();
        compose["image"] = service.Image;
        var environment = Environment(deployment, service.Environment);
        environment["OTEL_SERVICE_NAME"] = service.Name;
        compose["environment"] = environment;
        if (service.Http.HostPort is { } hostPort)
        {
            compose["ports"] = new List<string> { $"{hostPort}:{service.Http.TargetPort}" };
        }

        var dependsOn = Yaml.Map();
        foreach (var name in service.WaitsFor)
        {
            if (deployment.Servers.FirstOrDefault(s => s.Name == name) is { } server)
            {
                dependsOn[server.Name] = Condition("service_healthy");
                if (server.Bucket is not null)
                {
                    dependsOn[BucketInitName(server)] = Condition("service_completed_successfully");
                }
            }
            else
            {
                dependsOn[name] = Condition("service_started");
            }
        }

        if (dependsOn.Count > 0)
        {
            compose["depends_on"] = dependsOn;
        }

        if (service.Replicas > 1)
        {
            compose["deploy"] = new Dictionary<string, object> { ["replicas"] = service.Replicas };
        }

        compose["restart"] = "unless-stopped";
        return compose;
    }

    private static Dictionary<string, object> Environment(Deployment deployment, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var map = Yaml.Map();
        foreach (var (name, expression) in environment)
        {
            map[name] = deployment.Resolve(expression, Substitution, Escape);
        }

        return map;
    }

    private static string Substitution(DeploymentParameter parameter) => $"${{{parameter.EnvironmentName}}}";

    /// <summary>Compose substitutes <c>$NAME</c> everywhere; a literal dollar is written <c>$$</c>.</summary>
    private static string Escape(string literal) => literal.Replace("$", "$$", StringComparison.Ordinal);

    private static Dictionary<string, object> Condition(string condition) => new() { ["condition"] = condition };

    private static string EnvFile(Deployment deployment, Dictionary<string, string> values)
    {
        var sb = new StringBuilder();
        sb.Append("# Parameters of the Stox deployment, read by docker compose for ${NAME} in docker-compose.yaml.\n");
        sb.Append("# Generated once; publishing again keeps these values (the derived ones follow their source). Keep this file secret.\n");
        foreach (var parameter in deployment.Parameters)
        {
            sb.Append(parameter.EnvironmentName).Append('=').Append(values[parameter.Name]).Append('\n');
        }

        return sb.ToString();
    }

    private static Dictionary<string, string> ReadEnvFile(string path, Deployment deployment)
    {
        var byEnvironmentName = deployment.Parameters.ToDictionary(p => p.EnvironmentName, p => p.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (!line.StartsWith('#') && separator > 0 && byEnvironmentName.TryGetValue(line[..separator].Trim(), out var parameter))
            {
                values[parameter] = line[(separator + 1)..].Trim();
            }
        }

        return values;
    }
}
