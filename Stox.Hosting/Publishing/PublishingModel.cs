namespace Stox.Hosting.Publishing;

/// <summary>
/// What the app model declares for a deployment, read once and shared by every publisher. Values are
/// Aspire manifest expressions (<c>{postgres.bindings.tcp.host}</c>, <c>{postgres-password.value}</c>,
/// <c>{authdb.connectionString}</c>); each publisher writes them as they are (manifest) or resolves them
/// for its target with <see cref="ManifestExpression"/> (Compose, Kubernetes).
/// </summary>
public sealed class PublishingModel
{
    private PublishingModel(IReadOnlyList<DeploymentResource> resources, IReadOnlyList<ParameterSpec> parameters)
    {
        Resources = resources;
        Parameters = parameters;
    }

    /// <summary>Servers, databases and projects in the order the app model declares them.</summary>
    public IReadOnlyList<DeploymentResource> Resources { get; }

    public IReadOnlyList<ParameterSpec> Parameters { get; }

    public IEnumerable<ServerSpec> Servers => Resources.OfType<ServerSpec>();

    public IEnumerable<DatabaseSpec> Databases => Resources.OfType<DatabaseSpec>();

    public IEnumerable<ProjectSpec> Projects => Resources.OfType<ProjectSpec>();

    public DeploymentResource Get(string name) =>
        Resources.FirstOrDefault(r => r.Name == name)
        ?? throw new DistributedApplicationException($"The app model has no deployable resource named '{name}'.");

    public ParameterSpec GetParameter(string name) =>
        Parameters.FirstOrDefault(p => p.Name == name)
        ?? throw new DistributedApplicationException($"The app model has no parameter named '{name}'.");

    /// <summary>The connection string expression of a server or database, for <c>{name.connectionString}</c>.</summary>
    public string ConnectionStringOf(string name) => Get(name) switch
    {
        ServerSpec server => server.ConnectionString,
        DatabaseSpec database => database.ConnectionString,
        _ => throw new DistributedApplicationException($"Resource '{name}' has no connection string."),
    };

    public static PublishingModel Create(IReadOnlyList<IResource> appModel)
    {
        var resources = new List<DeploymentResource>();
        foreach (var resource in appModel)
        {
            switch (resource)
            {
                case ParameterResource:
                    break;
                case PostgresDatabaseResource database:
                    resources.Add(new DatabaseSpec(database.Name, database.Server.Name, database.DatabaseName, database.ConnectionStringExpression.ValueExpression));
                    break;
                case ProjectResource project:
                    resources.Add(CreateProject(project));
                    break;
                case Resource server when ServerContainers.TryCreate(server, out var spec):
                    resources.Add(spec);
                    break;
                default:
                    throw new DistributedApplicationException(
                        $"Resource '{resource.Name}' ({resource.GetType().Name}) has no deployment mapping: add one in Stox.Hosting/Publishing/ServerContainers.cs.");
            }
        }

        var parameters = appModel.OfType<ParameterResource>()
            .Select(p => new ParameterSpec(p.Name, p.Secret, p.IsGenerated, p.IsGenerated ? null : p.Value, p))
            .ToList();
        return new PublishingModel(resources, parameters);
    }

    private static ProjectSpec CreateProject(ProjectResource project)
    {
        var endpoints = project.Endpoints
            .Select(e => new EndpointSpec(e.Name, e.Scheme, TransportOf(e.Scheme), e.TargetPort ?? ProjectSpec.DefaultTargetPort, e.IsExternal, e.PreferredPort))
            .ToList();
        var references = project.References.Select(r => r switch
        {
            ProjectResource other => new ResourceReference(other.Name, ReferenceKind.ServiceDiscovery),
            IResourceWithConnectionString => new ResourceReference(r.Name, ReferenceKind.ConnectionString),
            _ => throw new DistributedApplicationException($"Resource '{project.Name}' references '{r.Name}', which publishing cannot express."),
        }).ToList();
        var environment = project.Environment.Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value.ValueExpression)).ToList();
        return new ProjectSpec(
            project.Name,
            project.Metadata.ProjectPath,
            project.Replicas,
            endpoints,
            references,
            environment,
            project.WaitsFor.Select(w => w.Name).ToList());
    }

    internal static string TransportOf(string scheme) => scheme switch
    {
        "http" or "https" => "http",
        _ => "tcp",
    };
}

/// <summary>A resource that is deployed: a server, a database on a server, or a project.</summary>
public abstract record DeploymentResource(string Name);

/// <summary>A network endpoint as a deployment sees it: the port the workload listens on inside its container.</summary>
public sealed record EndpointSpec(string Name, string Scheme, string Transport, int TargetPort, bool IsExternal, int? HostPort = null);

/// <summary>
/// A value supplied at deployment (parameter.v0). Generated secrets get a fresh value per deployment; a
/// value configured under <c>Parameters:{name}</c> is used as it is.
/// </summary>
public sealed record ParameterSpec(string Name, bool Secret, bool Generated, string? ConfiguredValue, ParameterResource Resource)
{
    /// <summary>Aspire's default for generated passwords.</summary>
    public const int GeneratedMinLength = 22;

    /// <summary>A value for a deployment that has none yet: the configured one, or a new generated one.</summary>
    public string NewValue() => ConfiguredValue ?? Resource.Value;
}

/// <summary>A server run from a public container image (container.v0).</summary>
public sealed record ServerSpec(
    string Name,
    string Image,
    string? Entrypoint,
    IReadOnlyList<string> Args,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<EndpointSpec> Endpoints,
    string ConnectionString,
    string DataPath,
    string HealthCommand) : DeploymentResource(Name)
{
    /// <summary>The S3 bucket the deployment must create on this server, if it is object storage.</summary>
    public BucketSpec? Bucket { get; init; }

    public EndpointSpec PrimaryEndpoint => Endpoints[0];
}

/// <summary>A bucket to create at deploy time, with the parameters that hold the server's credentials.</summary>
public sealed record BucketSpec(string Name, string AccessKeyParameter, string SecretKeyParameter);

/// <summary>A database on a server (value.v0: its connection string is the server's plus the database).</summary>
public sealed record DatabaseSpec(string Name, string Server, string DatabaseName, string ConnectionString) : DeploymentResource(Name);

public enum ReferenceKind
{
    /// <summary><c>ConnectionStrings__{name}</c>.</summary>
    ConnectionString,

    /// <summary><c>services__{name}__{endpoint}__0</c> for every endpoint of the referenced project.</summary>
    ServiceDiscovery,
}

public sealed record ResourceReference(string Name, ReferenceKind Kind);

/// <summary>One of the solution's .NET services, deployed as a container image built from its project (project.v0).</summary>
public sealed record ProjectSpec(
    string Name,
    string ProjectPath,
    int Replicas,
    IReadOnlyList<EndpointSpec> Endpoints,
    IReadOnlyList<ResourceReference> References,
    IReadOnlyList<KeyValuePair<string, string>> ExtraEnvironment,
    IReadOnlyList<string> WaitsFor) : DeploymentResource(Name)
{
    /// <summary>The port ASP.NET Core listens on in the .NET container images (ASPNETCORE_HTTP_PORTS).</summary>
    public const int DefaultTargetPort = 8080;

    /// <summary>The image repository <c>dotnet publish -t:PublishContainer</c> builds (ContainerRepository in the csproj).</summary>
    public string ImageRepository => $"stox/{Name}";

    public EndpointSpec HttpEndpoint => Endpoints.First(e => e.Name == "http");

    public bool IsExternal => Endpoints.Any(e => e.IsExternal);

    /// <summary>
    /// The environment Aspire gives a project in publish mode, in Aspire's order: the .NET OpenTelemetry
    /// switches, forwarded headers and HTTP_PORTS for a web project, then one entry per reference in the
    /// order they were declared, then the project's own values.
    /// </summary>
    /// <param name="endpointsOf">The endpoints a referenced project is reachable on in this deployment.</param>
    public IReadOnlyList<KeyValuePair<string, string>> Environment(Func<string, IEnumerable<EndpointSpec>> endpointsOf)
    {
        var environment = new List<KeyValuePair<string, string>>
        {
            new("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES", "true"),
            new("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES", "true"),
            new("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory"),
        };
        if (Endpoints.Count > 0)
        {
            environment.Add(new("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true"));
            environment.Add(new("HTTP_PORTS", $"{{{Name}.bindings.http.targetPort}}"));
        }

        foreach (var reference in References)
        {
            if (reference.Kind == ReferenceKind.ConnectionString)
            {
                environment.Add(new($"ConnectionStrings__{reference.Name}", $"{{{reference.Name}.connectionString}}"));
                continue;
            }

            foreach (var endpoint in endpointsOf(reference.Name))
            {
                environment.Add(new($"services__{reference.Name}__{endpoint.Name}__0", $"{{{reference.Name}.bindings.{endpoint.Name}.url}}"));
            }
        }

        environment.AddRange(ExtraEnvironment);
        return environment;
    }
}
