using System.Globalization;

namespace Stox.Hosting.Publishing;

/// <summary>
/// Manifest expressions as they resolve inside one container network (a Compose project, a Kubernetes
/// namespace): a resource is reached by its name on the port it listens on, and a connection string
/// reference expands to the referenced resource's own expression.
/// </summary>
internal static class NetworkExpressions
{
    /// <param name="parameter">Writes a parameter reference (a substitution, a secret value).</param>
    /// <param name="escapeLiteral">Escapes text outside references, where the target gives characters a meaning.</param>
    public static string Resolve(PublishingModel model, string expression, Func<ParameterSpec, string> parameter, Func<string, string>? escapeLiteral = null) =>
        ManifestExpression.Resolve(
            expression,
            reference => reference switch
            {
                ParameterPart p => parameter(model.GetParameter(p.Parameter)),
                ConnectionStringPart c => Resolve(model, model.ConnectionStringOf(c.Resource), parameter, escapeLiteral),
                EndpointPart e => Endpoint(model, e),
                _ => throw new InvalidOperationException($"Unknown reference {reference}."),
            },
            escapeLiteral);

    private static string Endpoint(PublishingModel model, EndpointPart part)
    {
        var endpoints = model.Get(part.Resource) switch
        {
            ServerSpec server => server.Endpoints,
            ProjectSpec project => project.Endpoints,
            _ => [],
        };
        var endpoint = endpoints.FirstOrDefault(e => e.Name == part.Endpoint)
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
}
