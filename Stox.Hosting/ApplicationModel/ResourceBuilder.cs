namespace Stox.Hosting;

public interface IResourceBuilder<out T> where T : IResource
{
    IDistributedApplicationBuilder ApplicationBuilder { get; }
    T Resource { get; }
}

internal sealed class ResourceBuilder<T>(IDistributedApplicationBuilder applicationBuilder, T resource) : IResourceBuilder<T>
    where T : IResource
{
    public IDistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;
    public T Resource { get; } = resource;
}

/// <summary>The wiring verbs every Aspire app model uses: references, waits, environment, endpoints.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Gives the resource <c>ConnectionStrings__{source}</c>.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source)
        where T : Resource
    {
        AddOnce(builder.Resource.References, source.Resource);
        return builder;
    }

    /// <summary>Gives the resource <c>services__{project}__{endpoint}__{index}</c> for service discovery.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<ProjectResource> source)
        where T : Resource
    {
        AddOnce(builder.Resource.References, source.Resource);
        return builder;
    }

    /// <summary>Starts the resource only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : Resource
    {
        if (ReferenceEquals(builder.Resource, dependency.Resource))
        {
            throw new InvalidOperationException($"Resource '{builder.Resource.Name}' cannot wait for itself.");
        }

        AddOnce(builder.Resource.WaitsFor, dependency.Resource);
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : Resource
    {
        builder.Resource.Environment[name] = ReferenceExpression.Literal(value);
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, ReferenceExpression value)
        where T : Resource
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }

    /// <summary>Marks the HTTP endpoints as reachable from outside (the deployment exposes them).</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder)
        where T : Resource
    {
        foreach (var endpoint in builder.Resource.Endpoints.Where(e => e.Scheme is "http" or "https"))
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }

    /// <summary>Asks for a fixed port in run mode; a taken port falls back to a free one with a warning.</summary>
    public static IResourceBuilder<T> WithHostPort<T>(this IResourceBuilder<T> builder, string endpointName, int port)
        where T : Resource
    {
        builder.Resource.GetEndpoint(endpointName).PreferredPort = port;
        return builder;
    }

    private static void AddOnce(List<IResource> list, IResource resource)
    {
        if (!list.Contains(resource))
        {
            list.Add(resource);
        }
    }
}
