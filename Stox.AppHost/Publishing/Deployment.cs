using System.Globalization;
using System.Text.Json.Nodes;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Stox.AppHost.LocalServers;

namespace Stox.AppHost.Publishing;

/// <summary>
/// What a self-contained deployment (one Compose project, one Kubernetes namespace) runs, read from Aspire's own
/// manifest of the app model. The manifest says images, environment, bindings, parameters and connection strings;
/// the app model adds what it cannot say: which server is which, its databases and bucket, replicas and waits.
/// Inside the deployment's network a resource is reached by its name on the port it listens on.
/// </summary>
internal sealed class Deployment
{
    /// <summary>The port the services' container images listen on (<c>dotnet publish -t:PublishContainer</c>).</summary>
    public const int ServicePort = 8080;

    private readonly Dictionary<string, string> _connectionStrings;

    private Deployment(List<DeploymentServer> servers, List<DeploymentService> services, List<DeploymentParameter> parameters, Dictionary<string, string> connectionStrings)
    {
        Servers = servers;
        Services = services;
        Parameters = parameters;
        _connectionStrings = connectionStrings;
    }

    public IReadOnlyList<DeploymentServer> Servers { get; }

    public IReadOnlyList<DeploymentService> Services { get; }

    /// <summary>Parameters first, then the values derived from them (URI-encoded passwords).</summary>
    public IReadOnlyList<DeploymentParameter> Parameters { get; }

    public static Deployment Read(JsonObject manifest, DistributedApplicationModel model, IConfiguration configuration)
    {
        var resources = manifest["resources"]!.AsObject();
        var servers = new List<DeploymentServer>();
        var services = new List<DeploymentService>();
        var parameters = new List<DeploymentParameter>();
        var connectionStrings = new Dictionary<string, string>(StringComparer.Ordinal);
        var projects = model.Resources.OfType<ProjectResource>().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, node) in resources)
        {
            var resource = node!.AsObject();
            if (resource["connectionString"] is { } connectionString)
            {
                connectionStrings[name] = connectionString.GetValue<string>();
            }

            switch (resource["type"]!.GetValue<string>())
            {
                case "parameter.v0":
                    var defaultValue = resource["inputs"]?["value"]?["default"];
                    var generate = defaultValue?["generate"];
                    parameters.Add(new DeploymentParameter(name, generate is not null, generate?["minLength"]?.GetValue<int>() ?? 22, DerivedFrom: null, Filter: null,
                        defaultValue?["value"]?.GetValue<string>()));
                    break;
                case "annotated.string":
                    var source = ManifestExpression.Parse(resource["value"]!.GetValue<string>()) is [ValuePart from] ? from.Resource
                        : throw Unsupported(name, "an annotated string that is not one parameter");
                    parameters.Add(new DeploymentParameter(name, Generated: false, 0, source, resource["filter"]?.GetValue<string>()));
                    break;
                case "value.v0":
                    break;
                case "container.v0" or "container.v1":
                    servers.Add(Server(name, resource, model.Resources.Single(r => r.Name == name), model));
                    break;
                case "project.v0" or "project.v1":
                    services.Add(Service(name, resource, (ProjectResource)model.Resources.Single(r => r.Name == name), projects, configuration));
                    break;
                case var type:
                    throw Unsupported(name, type);
            }
        }

        // Derived values follow what they derive from, so a value is always written after its source.
        parameters = [.. parameters.Where(p => p.DerivedFrom is null), .. parameters.Where(p => p.DerivedFrom is not null)];
        return new Deployment(servers, services, parameters, connectionStrings);
    }

    /// <summary>
    /// An expression as it reads inside the deployment's network. <paramref name="value"/> writes a parameter
    /// reference in the target's terms (a substitution); <paramref name="literal"/> escapes text around references.
    /// </summary>
    public string Resolve(string expression, Func<DeploymentParameter, string> value, Func<string, string> literal) =>
        ManifestExpression.Resolve(
            expression,
            reference => reference switch
            {
                ValuePart part => value(Parameter(part.Resource)),
                ConnectionStringPart part => Resolve(ConnectionStringOf(part.Resource), value, literal),
                EndpointPart part => literal(Endpoint(part)),
                _ => throw new InvalidOperationException($"Unknown reference {reference}."),
            },
            literal);

    public DeploymentParameter Parameter(string name) =>
        Parameters.FirstOrDefault(p => p.Name == name) ?? throw new DistributedApplicationException($"The manifest has no parameter '{name}'.");

    public DeploymentServer Server(string name) =>
        Servers.FirstOrDefault(s => s.Name == name) ?? throw new DistributedApplicationException($"The manifest has no server '{name}'.");

    private string ConnectionStringOf(string name) =>
        _connectionStrings.TryGetValue(name, out var expression) ? expression : throw new DistributedApplicationException($"'{name}' has no connection string.");

    private string Endpoint(EndpointPart part)
    {
        var endpoint = Servers.FirstOrDefault(s => s.Name == part.Resource)?.Endpoints.FirstOrDefault(e => e.Name == part.Endpoint)
            ?? Services.FirstOrDefault(s => s.Name == part.Resource && part.Endpoint == s.Http.Name)?.Http
            ?? throw new DistributedApplicationException($"'{part.Resource}' has no endpoint '{part.Endpoint}' inside the deployment's network.");
        var port = endpoint.TargetPort.ToString(CultureInfo.InvariantCulture);
        return part.Property switch
        {
            "host" => part.Resource,
            "port" or "targetPort" => port,
            "scheme" => endpoint.Scheme,
            _ => $"{endpoint.Scheme}://{part.Resource}:{port}",
        };
    }

    private static DeploymentServer Server(string name, JsonObject resource, IResource modelResource, DistributedApplicationModel model)
    {
        var kind = modelResource switch
        {
            PostgresServerResource => ServerKind.Postgres,
            RedisResource => ServerKind.Redis,
            RabbitMQServerResource => ServerKind.RabbitMQ,
            S3ContainerResource => ServerKind.S3,
            _ => throw Unsupported(name, $"container {modelResource.GetType().Name}: say how it keeps data and reports health in Deployment.cs"),
        };
        var endpoints = Bindings(name, resource)
            .Select(b => new DeploymentEndpoint(b.Name, b.Scheme, b.TargetPort ?? throw Unsupported(name, $"binding {b.Name} without a target port"), HostPort: null, b.External))
            .ToList();
        var databases = model.Resources.OfType<PostgresDatabaseResource>().Where(d => d.Parent == modelResource).Select(d => d.DatabaseName).ToList();
        var storage = modelResource as S3ContainerResource;
        return new DeploymentServer(
            name,
            kind,
            resource["image"]!.GetValue<string>(),
            resource["entrypoint"]?.GetValue<string>(),
            resource["args"]?.AsArray().Select(a => a!.GetValue<string>()).ToList() ?? [],
            Environment(resource),
            endpoints,
            databases,
            storage is null ? null : new DeploymentBucket(storage.Bucket, storage.AccessKeyParameter.Name, storage.SecretKeyParameter.Name));
    }

    private static DeploymentService Service(string name, JsonObject resource, ProjectResource project, HashSet<string> projects, IConfiguration configuration)
    {
        var http = Bindings(name, resource).Where(b => b.Name == "http").DefaultIfEmpty().First();
        if (http.Name is null)
        {
            throw Unsupported(name, "a project without an http binding");
        }

        var annotation = project.Annotations.OfType<EndpointAnnotation>().First(e => e.Name == "http");
        // Inside the network services speak plain HTTP: what names a project's other endpoints (https) is left out.
        var environment = Environment(resource)
            .Where(e => !ManifestExpression.Parse(e.Value).OfType<EndpointPart>().Any(p => projects.Contains(p.Resource) && p.Endpoint != "http"))
            .ToList();
        var waits = project.Annotations.OfType<WaitAnnotation>()
            .Select(w => w.Resource is IResourceWithParent child ? child.Parent.Name : w.Resource.Name)
            .Distinct()
            .ToList();
        var registry = configuration["Publishing:ImageRegistry"]?.TrimEnd('/');
        var image = $"{(string.IsNullOrWhiteSpace(registry) ? string.Empty : registry + "/")}stox/{name}:{configuration["Publishing:ImageTag"] ?? "latest"}";
        return new DeploymentService(
            name,
            image,
            project.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1,
            new DeploymentEndpoint("http", "http", ServicePort, http.External ? annotation.Port ?? ServicePort : null, http.External),
            environment,
            waits);
    }

    private static List<KeyValuePair<string, string>> Environment(JsonObject resource) =>
        resource["env"]?.AsObject().Select(e => new KeyValuePair<string, string>(e.Key, e.Value!.GetValue<string>())).ToList() ?? [];

    private static IEnumerable<(string Name, string Scheme, int? TargetPort, bool External)> Bindings(string name, JsonObject resource) =>
        resource["bindings"]?.AsObject().Select(b => (
            b.Key,
            b.Value!["scheme"]!.GetValue<string>(),
            b.Value["targetPort"]?.GetValue<int>(),
            b.Value["external"]?.GetValue<bool>() ?? false)) ?? [];

    private static DistributedApplicationException Unsupported(string name, string what) =>
        new($"Resource '{name}': Compose and Kubernetes publishing cannot express {what}.");
}

internal enum ServerKind
{
    Postgres,
    Redis,
    RabbitMQ,
    S3,
}

internal sealed record DeploymentEndpoint(string Name, string Scheme, int TargetPort, int? HostPort, bool External);

/// <summary>
/// A value given at deployment: a parameter of the app model, or one derived from it by a filter (Aspire's
/// <c>annotated.string</c>, e.g. a password URI-encoded for a connection URI).
/// </summary>
/// <param name="Default">The manifest's default value (an optional parameter's is empty), used when none is configured.</param>
internal sealed record DeploymentParameter(string Name, bool Generated, int MinLength, string? DerivedFrom, string? Filter, string? Default = null)
{
    /// <summary><c>postgres-password</c> as an environment variable: <c>POSTGRES_PASSWORD</c>.</summary>
    public string EnvironmentName => Name.Replace('-', '_').ToUpperInvariant();
}

internal sealed record DeploymentBucket(string Name, string AccessKeyParameter, string SecretKeyParameter);

internal sealed record DeploymentServer(
    string Name,
    ServerKind Kind,
    string Image,
    string? Entrypoint,
    IReadOnlyList<string> Args,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<DeploymentEndpoint> Endpoints,
    IReadOnlyList<string> Databases,
    DeploymentBucket? Bucket)
{
    public DeploymentEndpoint PrimaryEndpoint => Endpoints[0];

    /// <summary>Where the image keeps its data (PostgreSQL 18's image keeps versioned clusters under this folder).</summary>
    public string DataPath => Kind switch
    {
        ServerKind.Postgres => "/var/lib/postgresql",
        ServerKind.RabbitMQ => "/var/lib/rabbitmq",
        _ => "/data",
    };

    /// <summary>A shell command that succeeds once the server accepts work.</summary>
    public string HealthCommand => Kind switch
    {
        ServerKind.Postgres => "pg_isready -U postgres -h 127.0.0.1",
        ServerKind.Redis => "redis-cli -a \"$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG",
        ServerKind.RabbitMQ => "rabbitmq-diagnostics -q ping",
        _ => "mc ready local",
    };

    /// <summary>Run once when the data folder is new: the databases run mode creates on the local server.</summary>
    public string CreateDatabasesSql() =>
        "-- Runs once, when the data folder is empty.\n"
        + string.Concat(Databases.Select(d => $"CREATE DATABASE \"{d.Replace("\"", "\"\"", StringComparison.Ordinal)}\";\n"));

    /// <summary>Creates the bucket with MinIO's client (in the server image), waiting for the server first; idempotent.</summary>
    public string CreateBucketScript() =>
        $"until mc alias set stox {PrimaryEndpoint.Scheme}://{Name}:{PrimaryEndpoint.TargetPort} \"$S3_ACCESS_KEY\" \"$S3_SECRET_KEY\" >/dev/null; do sleep 2; done && mc mb --ignore-existing stox/{Bucket!.Name}";
}

internal sealed record DeploymentService(
    string Name,
    string Image,
    int Replicas,
    DeploymentEndpoint Http,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<string> WaitsFor);
