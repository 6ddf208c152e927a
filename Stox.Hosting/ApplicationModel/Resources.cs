namespace Stox.Hosting;

/// <summary>Anything the app model describes: a server, a database, a project, a parameter.</summary>
public interface IResource
{
    string Name { get; }
}

/// <summary>A resource other resources can reference through <c>ConnectionStrings__{name}</c>.</summary>
public interface IResourceWithConnectionString : IResource
{
    ReferenceExpression ConnectionStringExpression { get; }
}

/// <summary>A resource that belongs to another (a database to its server).</summary>
public interface IResourceWithParent : IResource
{
    IResource Parent { get; }
}

/// <summary>Metadata generated for each project the AppHost references (see build/Stox.Hosting.targets).</summary>
public interface IProjectMetadata
{
    string ProjectPath { get; }
    string AssemblyPath { get; }
}

/// <summary>Base for resources: their endpoints, environment, references and waits.</summary>
public abstract class Resource(string name) : IResource
{
    public string Name { get; } = ResourceNames.Validate(name);

    public List<EndpointAnnotation> Endpoints { get; } = [];

    /// <summary>Resources that must be healthy before this one starts (WaitFor).</summary>
    public List<IResource> WaitsFor { get; } = [];

    /// <summary>Resources whose connection string or endpoints this one receives (WithReference).</summary>
    public List<IResource> References { get; } = [];

    /// <summary>Extra environment values, each a literal or an expression evaluated at start.</summary>
    public Dictionary<string, ReferenceExpression> Environment { get; } = new(StringComparer.Ordinal);

    public EndpointAnnotation GetEndpoint(string endpointName) =>
        Endpoints.FirstOrDefault(e => e.Name == endpointName)
        ?? throw new InvalidOperationException($"Resource '{Name}' has no endpoint named '{endpointName}'.");

    public override string ToString() => Name;
}

internal static class ResourceNames
{
    public static string Validate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 64 || !char.IsAsciiLetter(name[0]) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            throw new ArgumentException(
                $"Resource name '{name}' is invalid: use ASCII letters, digits and hyphens, starting with a letter, at most 64 characters.",
                nameof(name));
        }

        return name;
    }
}
