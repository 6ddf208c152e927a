namespace Stox.Hosting;

/// <summary>A network endpoint of a resource. In run mode the orchestrator allocates its port.</summary>
public sealed class EndpointAnnotation(Resource resource, string name, string scheme, int? targetPort, bool isProxied = true)
{
    public Resource Resource { get; } = resource;
    public string Name { get; } = name;
    public string Scheme { get; } = scheme;

    /// <summary>The port the server listens on inside a container (publish mode).</summary>
    public int? TargetPort { get; } = targetPort;

    /// <summary>A port asked for in run mode; if it is taken another free port is used.</summary>
    public int? PreferredPort { get; set; }

    public bool IsExternal { get; set; }
    public bool IsProxied { get; } = isProxied;

    /// <summary>The host in run mode.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The port allocated in run mode; null until the orchestrator allocates it.</summary>
    public int? AllocatedPort { get; internal set; }

    public int Port => AllocatedPort
        ?? throw new InvalidOperationException($"The port of endpoint '{Resource.Name}.{Name}' is not allocated yet.");

    public string Url => $"{Scheme}://{Host}:{Port}";

    /// <summary>The ports of every replica in run mode (the first is <see cref="Port"/>).</summary>
    public IReadOnlyList<int> ReplicaPorts { get; internal set; } = [];

    public IReadOnlyList<string> ReplicaUrls =>
        ReplicaPorts.Count == 0 ? [Url] : ReplicaPorts.Select(p => $"{Scheme}://{Host}:{p}").ToList();

    public EndpointReference Reference => new(this);
}

public enum EndpointProperty
{
    Url,
    Host,
    Port,
    Scheme,
}

/// <summary>A reference to an endpoint's value: concrete in run mode, a binding expression in the manifest.</summary>
public sealed class EndpointReference(EndpointAnnotation endpoint) : IValueProvider, IManifestExpressionProvider
{
    public EndpointAnnotation Endpoint { get; } = endpoint;

    public string ValueExpression => $"{{{Endpoint.Resource.Name}.bindings.{Endpoint.Name}.url}}";

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>(Endpoint.Url);

    public EndpointPropertyReference Property(EndpointProperty property) => new(Endpoint, property);
}

public sealed class EndpointPropertyReference(EndpointAnnotation endpoint, EndpointProperty property) : IValueProvider, IManifestExpressionProvider
{
    public string ValueExpression =>
        $"{{{endpoint.Resource.Name}.bindings.{endpoint.Name}.{property.ToString().ToLowerInvariant()}}}";

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>(property switch
        {
            EndpointProperty.Url => endpoint.Url,
            EndpointProperty.Host => endpoint.Host,
            EndpointProperty.Port => endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            EndpointProperty.Scheme => endpoint.Scheme,
            _ => throw new ArgumentOutOfRangeException(nameof(property)),
        });
}
