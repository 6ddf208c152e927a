using Microsoft.Extensions.Configuration;

namespace Stox.Hosting;

public enum DistributedApplicationOperation
{
    Run,
    Publish,
}

public sealed class DistributedApplicationExecutionContext(DistributedApplicationOperation operation, string? publisher, string? outputPath)
{
    public DistributedApplicationOperation Operation { get; } = operation;
    public string? Publisher { get; } = publisher;
    public string? OutputPath { get; } = outputPath;
    public bool IsRunMode => Operation == DistributedApplicationOperation.Run;
    public bool IsPublishMode => Operation == DistributedApplicationOperation.Publish;
}

public interface IDistributedApplicationBuilder
{
    IConfiguration Configuration { get; }

    DistributedApplicationExecutionContext ExecutionContext { get; }

    DistributedApplicationOptions Options { get; }

    IReadOnlyList<IResource> Resources { get; }

    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;

    /// <summary>Removes a resource and every reference and wait that points at it.</summary>
    void RemoveResource(IResource resource);

    IResourceBuilder<ParameterResource> AddParameter(string name, bool secret = false);

    DistributedApplication Build();
}

/// <summary>The AppHost's builder, the counterpart of Aspire's DistributedApplication.CreateBuilder(args).</summary>
public sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    private readonly List<IResource> _resources = [];

    internal DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        Options = options;
        var args = options.Args;
        Configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a != "--persist").ToArray())
            .Build();

        var publisher = Configuration["publisher"];
        ExecutionContext = new DistributedApplicationExecutionContext(
            publisher is null ? DistributedApplicationOperation.Run : DistributedApplicationOperation.Publish,
            publisher,
            Configuration["output-path"]);

        options.Persist |= args.Contains("--persist") || Configuration.GetValue<bool>("AppHost:Persist");
        options.RandomizePorts |= Configuration.GetValue<bool>("AppHost:RandomizePorts");
        options.StateDirectory ??= Configuration["state-dir"] ?? Configuration["AppHost:StateDirectory"];
        // Aspire passes the dashboard's OTLP endpoint under this name.
        options.OtlpEndpoint ??= Configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] ?? Configuration["AppHost:OtlpEndpoint"];
        options.OtlpProtocol = Configuration["AppHost:OtlpProtocol"] ?? options.OtlpProtocol;
        options.EnvironmentName = Configuration["AppHost:Environment"] ?? options.EnvironmentName;
    }

    /// <summary>Set by the testing builder: receives the builder when the AppHost calls Build(), instead of running it.</summary>
    internal static AsyncLocal<Action<DistributedApplicationBuilder>?> BuildInterceptor { get; } = new();

    internal static AsyncLocal<Action<DistributedApplicationOptions>?> OptionsInterceptor { get; } = new();

    public IConfiguration Configuration { get; }

    public DistributedApplicationExecutionContext ExecutionContext { get; }

    public DistributedApplicationOptions Options { get; }

    public IReadOnlyList<IResource> Resources => _resources;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DistributedApplicationException($"Cannot add resource '{resource.Name}': a resource with that name already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    public void RemoveResource(IResource resource)
    {
        _resources.Remove(resource);
        foreach (var other in _resources.OfType<Resource>())
        {
            other.References.Remove(resource);
            other.WaitsFor.Remove(resource);
        }
    }

    public IResourceBuilder<ParameterResource> AddParameter(string name, bool secret = false) =>
        AddResource(new ParameterResource(name, secret, Configuration[$"Parameters:{name}"]));

    public DistributedApplication Build()
    {
        if (BuildInterceptor.Value is { } intercept)
        {
            intercept(this);
            throw new BuildInterceptedException();
        }

        return BuildCore();
    }

    internal DistributedApplication BuildCore()
    {
        foreach (var resource in _resources.OfType<Resource>())
        {
            var missing = resource.References.Concat(resource.WaitsFor).FirstOrDefault(r => !_resources.Contains(r));
            if (missing is not null)
            {
                throw new DistributedApplicationException($"Resource '{resource.Name}' refers to '{missing.Name}', which is not in the app model.");
            }
        }

        return new DistributedApplication(this);
    }

    /// <summary>Unwinds the AppHost's entry point once the testing builder has the app model.</summary>
    internal sealed class BuildInterceptedException : Exception
    {
        public BuildInterceptedException() : base("The testing builder took over the app model.")
        {
        }
    }
}
