using System.Text;

namespace Stox.Hosting.Publishing;

/// <summary>
/// Writes <c>docker-compose.yaml</c> and <c>.env</c> that run the whole system on one Docker host: the
/// servers from their public images with named data volumes and health checks, a one-shot service that
/// creates the S3 bucket, and the services from the images <c>dotnet publish -t:PublishContainer</c> builds,
/// started in WaitFor order. Secrets live only in <c>.env</c> (mode 0600), which Compose reads for
/// <c>${NAME}</c> substitution.
/// </summary>
public sealed class ComposePublisher : IPublisher
{
    public const string ComposeFileName = "docker-compose.yaml";
    public const string EnvFileName = ".env";

    public string Name => "compose";

    public string Description => "docker-compose.yaml and .env for one Docker host (--output-path: a folder)";

    public async Task<IReadOnlyList<string>> PublishAsync(PublishingModel model, PublishingContext context, CancellationToken cancellationToken)
    {
        var folder = context.OutputPath;
        Directory.CreateDirectory(folder);
        var envPath = Path.Combine(folder, EnvFileName);
        var values = ParameterValues.Resolve(model, File.Exists(envPath) ? ReadEnvFile(envPath, model) : new Dictionary<string, string>());

        var written = new List<string>();
        foreach (var server in model.Servers)
        {
            var databases = model.Databases.Where(d => d.Server == server.Name).ToList();
            if (databases.Count > 0)
            {
                var initFolder = Path.Combine(folder, $"{server.Name}-init");
                Directory.CreateDirectory(initFolder);
                var script = Path.Combine(initFolder, "10-databases.sql");
                await File.WriteAllTextAsync(script, PostgresInit.CreateDatabasesSql(databases), cancellationToken);
                written.Add(script);
            }
        }

        var composePath = Path.Combine(folder, ComposeFileName);
        await File.WriteAllTextAsync(composePath, Yaml.Serialize(CreateComposeFile(model, context)), cancellationToken);
        written.Add(composePath);

        await ParameterValues.WriteSecretFileAsync(envPath, CreateEnvFile(model, values), cancellationToken);
        written.Add(envPath);
        return written;
    }

    public static Dictionary<string, object> CreateComposeFile(PublishingModel model, PublishingContext context)
    {
        var services = Yaml.Map();
        var volumes = Yaml.Map();
        foreach (var server in model.Servers)
        {
            services[server.Name] = Server(model, server);
            volumes[$"{server.Name}-data"] = Yaml.Map();
            if (server.Bucket is not null)
            {
                services[BucketInitName(server)] = BucketInit(server);
            }
        }

        foreach (var project in model.Projects)
        {
            services[project.Name] = Project(model, project, context);
        }

        // No top-level 'name': Compose v1 rejects it; the project is named after the folder, or by -p.
        var file = Yaml.Map();
        file["services"] = services;
        file["volumes"] = volumes;
        return file;
    }

    /// <summary>The one-shot service that creates a storage server's bucket.</summary>
    public static string BucketInitName(ServerSpec server) => $"{server.Name}-init";

    private static Dictionary<string, object> Server(PublishingModel model, ServerSpec server)
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

        service["environment"] = Environment(model, server.Environment);
        var mounts = new List<string> { $"{server.Name}-data:{server.DataPath}" };
        if (model.Databases.Any(d => d.Server == server.Name))
        {
            mounts.Add($"./{server.Name}-init:/docker-entrypoint-initdb.d:ro");
        }

        service["volumes"] = mounts;
        var healthcheck = Yaml.Map();
        healthcheck["test"] = new List<string> { "CMD-SHELL", Escape(server.HealthCommand) };
        healthcheck["interval"] = "5s";
        healthcheck["timeout"] = "5s";
        healthcheck["retries"] = 30;
        healthcheck["start_period"] = "10s";
        service["healthcheck"] = healthcheck;
        service["restart"] = "unless-stopped";
        return service;
    }

    private static Dictionary<string, object> BucketInit(ServerSpec server)
    {
        var bucket = server.Bucket!;
        var url = $"{server.PrimaryEndpoint.Scheme}://{server.Name}:{server.PrimaryEndpoint.TargetPort}";
        var service = Yaml.Map();
        service["image"] = server.Image;
        service["entrypoint"] = new List<string> { "/bin/sh", "-c" };
        service["command"] = new List<string> { Escape(BucketInitScript(url, bucket.Name)) };
        var environment = Yaml.Map();
        environment["S3_ACCESS_KEY"] = $"${{{ParameterValues.EnvironmentName(bucket.AccessKeyParameter)}}}";
        environment["S3_SECRET_KEY"] = $"${{{ParameterValues.EnvironmentName(bucket.SecretKeyParameter)}}}";
        service["environment"] = environment;
        service["depends_on"] = new Dictionary<string, object> { [server.Name] = Condition("service_healthy") };
        service["restart"] = "no";
        return service;
    }

    /// <summary>Creates the bucket with MinIO's client (in the server image), waiting for the server first; idempotent.</summary>
    internal static string BucketInitScript(string url, string bucket) =>
        $"until mc alias set stox {url} \"$S3_ACCESS_KEY\" \"$S3_SECRET_KEY\" >/dev/null; do sleep 2; done && mc mb --ignore-existing stox/{bucket}";

    private static Dictionary<string, object> Project(PublishingModel model, ProjectSpec project, PublishingContext context)
    {
        var service = Yaml.Map();
        service["image"] = context.ImageOf(project);
        var environment = Environment(model, project.Environment(name => [((ProjectSpec)model.Get(name)).HttpEndpoint]));
        environment["OTEL_SERVICE_NAME"] = project.Name;
        service["environment"] = environment;
        var external = project.Endpoints.Where(e => e.IsExternal).ToList();
        if (external.Count > 0)
        {
            service["ports"] = external.Select(e => $"{e.HostPort ?? e.TargetPort}:{e.TargetPort}").ToList();
        }

        var dependsOn = Yaml.Map();
        foreach (var name in project.WaitsFor)
        {
            switch (model.Get(name))
            {
                case ServerSpec server:
                    dependsOn[server.Name] = Condition("service_healthy");
                    if (server.Bucket is not null)
                    {
                        dependsOn[BucketInitName(server)] = Condition("service_completed_successfully");
                    }

                    break;
                case DatabaseSpec database:
                    dependsOn[database.Server] = Condition("service_healthy");
                    break;
                case ProjectSpec other:
                    dependsOn[other.Name] = Condition("service_started");
                    break;
            }
        }

        if (dependsOn.Count > 0)
        {
            service["depends_on"] = dependsOn;
        }

        if (project.Replicas > 1)
        {
            service["deploy"] = new Dictionary<string, object> { ["replicas"] = project.Replicas };
        }

        service["restart"] = "unless-stopped";
        return service;
    }

    private static Dictionary<string, object> Environment(PublishingModel model, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var map = Yaml.Map();
        foreach (var (name, expression) in environment)
        {
            map[name] = Resolve(model, expression);
        }

        return map;
    }

    /// <summary>An expression as Compose reads it: services by name on the project network, parameters from .env.</summary>
    internal static string Resolve(PublishingModel model, string expression) =>
        NetworkExpressions.Resolve(model, expression, parameter => $"${{{ParameterValues.EnvironmentName(parameter.Name)}}}", Escape);

    /// <summary>Compose substitutes <c>$NAME</c> everywhere; a literal dollar is written <c>$$</c>.</summary>
    private static string Escape(string literal) => literal.Replace("$", "$$", StringComparison.Ordinal);

    private static Dictionary<string, object> Condition(string condition) => new() { ["condition"] = condition };

    private static string CreateEnvFile(PublishingModel model, Dictionary<string, string> values)
    {
        var sb = new StringBuilder();
        sb.Append("# Parameters of the Stox deployment, read by docker compose for ${NAME} in docker-compose.yaml.\n");
        sb.Append("# Generated once; publishing again keeps these values. Keep this file secret.\n");
        foreach (var parameter in model.Parameters)
        {
            sb.Append(ParameterValues.EnvironmentName(parameter.Name)).Append('=').Append(values[parameter.Name]).Append('\n');
        }

        return sb.ToString();
    }

    private static Dictionary<string, string> ReadEnvFile(string path, PublishingModel model)
    {
        var byEnvironmentName = model.Parameters.ToDictionary(p => ParameterValues.EnvironmentName(p.Name), p => p.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || separator <= 0)
            {
                continue;
            }

            if (byEnvironmentName.TryGetValue(line[..separator].Trim(), out var parameter))
            {
                values[parameter] = line[(separator + 1)..].Trim();
            }
        }

        return values;
    }
}
