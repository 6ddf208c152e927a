using Yarp.ReverseProxy.Model;

namespace Stox.Gateway.Routing;

internal static class RouteLookup
{
    /// <summary>The public route this request matched, once routing has run; null for the gateway's own endpoints.</summary>
    public static GatewayRoute? GetGatewayRoute(this HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is { } model
        && model.Config.Metadata?.GetValueOrDefault(ProxyConfiguration.RouteMetadataKey) is { } id
            ? GatewayRoutes.Find(id)
            : null;
}
