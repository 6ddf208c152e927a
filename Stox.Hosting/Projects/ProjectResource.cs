namespace Stox.Hosting;

/// <summary>A .NET project of the solution, run from its built assembly (Aspire: ProjectResource).</summary>
public sealed class ProjectResource : Resource
{
    public ProjectResource(string name, IProjectMetadata metadata) : base(name)
    {
        Metadata = metadata;
        Endpoints.Add(new EndpointAnnotation(this, "http", "http", targetPort: 8080));
    }

    public IProjectMetadata Metadata { get; }

    public int Replicas { get; set; } = 1;
}

public static class ProjectResourceBuilderExtensions
{
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddResource(new ProjectResource(name, new TProject()));

    /// <summary>Runs several instances of the project; each gets its own port and service instance id.</summary>
    public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> builder, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Replicas = replicas;
        return builder;
    }
}
