namespace Stox.Hosting.Testing;

/// <summary>What a test needs from a running app model: clients, connection strings, waits.</summary>
public static class DistributedApplicationTestingExtensions
{
    public static IResource GetResource(this IDistributedApplicationBuilder builder, string name) =>
        builder.Resources.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"There is no resource named '{name}'.", nameof(name));

    public static IResource GetResource(this DistributedApplication app, string name) =>
        app.Resources.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"There is no resource named '{name}'.", nameof(name));

    public static Uri GetEndpoint(this DistributedApplication app, string resourceName, string endpointName = "http") =>
        new(((Resource)app.GetResource(resourceName)).GetEndpoint(endpointName).Url);

    public static HttpClient CreateHttpClient(this DistributedApplication app, string resourceName, string endpointName = "http") =>
        new() { BaseAddress = app.GetEndpoint(resourceName, endpointName) };

    public static ValueTask<string?> GetConnectionStringAsync(this DistributedApplication app, string resourceName, CancellationToken cancellationToken = default) =>
        app.GetResource(resourceName) is IResourceWithConnectionString resource
            ? resource.ConnectionStringExpression.GetValueAsync(cancellationToken)
            : throw new ArgumentException($"Resource '{resourceName}' has no connection string.", nameof(resourceName));

    public static Task<ResourceSnapshot> WaitForResourceHealthyAsync(this DistributedApplication app, string resourceName, CancellationToken cancellationToken = default) =>
        app.ResourceNotifications.WaitForResourceHealthyAsync(resourceName, cancellationToken);
}
