using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Stox.Tests.Infrastructure;

/// <summary>Ways a test fixture trims or changes the AppHost's model before it starts.</summary>
public static class TestingBuilderExtensions
{
    public static IResourceBuilder<ProjectResource> Project(this IDistributedApplicationTestingBuilder builder, string name) =>
        builder.CreateResourceBuilder<ProjectResource>(name);

    /// <summary>
    /// The testing builder gives proxied endpoints free ports; an endpoint without a proxy (the gateway's) keeps the
    /// port of its launch profile unless told otherwise, and tests run side by side.
    /// </summary>
    public static IDistributedApplicationTestingBuilder WithFreePorts(this IDistributedApplicationTestingBuilder builder)
    {
        foreach (var endpoint in builder.Resources.SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()).Where(e => !e.IsProxied))
        {
            endpoint.Port = null;
        }

        return builder;
    }

    /// <summary>Every project exports its telemetry to the test's OTLP/HTTP receiver instead of the dashboard.</summary>
    public static IDistributedApplicationTestingBuilder ExportTelemetryTo(this IDistributedApplicationTestingBuilder builder, OtlpTestReceiver receiver)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            builder.CreateResourceBuilder(project)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Endpoint)
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        }

        return builder;
    }

    /// <summary>Keeps only the named resources and what they reference, wait for or belong to.</summary>
    public static IDistributedApplicationTestingBuilder KeepOnly(this IDistributedApplicationTestingBuilder builder, params string[] names)
    {
        var keep = new HashSet<IResource>();
        var pending = new Stack<IResource>(names.Select(n => builder.Resources.Single(r => r.Name == n)));
        while (pending.Count > 0)
        {
            var resource = pending.Pop();
            if (!keep.Add(resource))
            {
                continue;
            }

            foreach (var next in Dependencies(resource))
            {
                pending.Push(next);
            }
        }

        foreach (var resource in builder.Resources.Where(r => !keep.Contains(r) && r is not ParameterResource).ToList())
        {
            builder.Resources.Remove(resource);
        }

        return builder;
    }

    /// <summary>
    /// Takes <paramref name="name"/> out of the model and points every resource that referenced it at
    /// <paramref name="url"/> instead (<c>services__{name}__http__0</c>), as an external service.
    /// </summary>
    public static IDistributedApplicationTestingBuilder ReplaceWithUrl(this IDistributedApplicationTestingBuilder builder, string name, string url)
    {
        var replaced = builder.Resources.Single(r => r.Name == name);
        builder.Resources.Remove(replaced);
        foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>().Where(r => Dependencies(r).Contains(replaced)))
        {
            // Runs after the reference's own callback: drop what it wrote about the removed resource, write the URL.
            builder.CreateResourceBuilder(resource).WithEnvironment(context =>
            {
                foreach (var key in context.EnvironmentVariables.Where(e => e.Value is EndpointReference endpoint && endpoint.Resource == replaced).Select(e => e.Key).ToList())
                {
                    context.EnvironmentVariables.Remove(key);
                }

                context.EnvironmentVariables[$"services__{name}__http__0"] = url;
            });
            foreach (var annotation in resource.Annotations.Where(a => a is WaitAnnotation w && w.Resource == replaced).ToList())
            {
                resource.Annotations.Remove(annotation);
            }
        }

        return builder;
    }

    /// <summary>A resource the app starts by itself: not a parameter, not one started only on request (a project's rebuilder).</summary>
    public static bool StartsWithTheApp(IResource resource) =>
        resource is not ParameterResource && !resource.Annotations.OfType<ExplicitStartupAnnotation>().Any();

    private static IEnumerable<IResource> Dependencies(IResource resource)
    {
        foreach (var annotation in resource.Annotations)
        {
            switch (annotation)
            {
                case ResourceRelationshipAnnotation relationship:
                    yield return relationship.Resource;
                    break;
                case WaitAnnotation wait:
                    yield return wait.Resource;
                    break;
                case EndpointReferenceAnnotation endpoints:
                    yield return endpoints.Resource;
                    break;
            }
        }

        if (resource is IResourceWithParent child)
        {
            yield return child.Parent;
        }
    }
}
