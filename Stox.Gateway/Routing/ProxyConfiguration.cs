using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace Stox.Gateway.Routing;

/// <summary>
/// Turns <see cref="GatewayRoutes"/> into YARP routes and clusters. Each cluster has one logical destination,
/// <c>http://{service}</c>, which Microsoft.Extensions.ServiceDiscovery.Yarp resolves into every endpoint service
/// discovery knows (<c>services__{name}__http__{i}</c>) and keeps following as it changes; active and passive
/// health checks take a failing one out of rotation. (Under Aspire's DCP the replicas of a service share one
/// proxied URL, as behind a Kubernetes Service: there the proxy spreads the calls.)
/// </summary>
public static class ProxyConfiguration
{
    public const string RouteMetadataKey = "Stox.Route";

    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Build(GatewayOptions options)
    {
        var routes = GatewayRoutes.All.Select(route => new RouteConfig
        {
            RouteId = route.Id,
            ClusterId = route.Service,
            Order = route.Order,
            Match = new RouteMatch { Path = route.Path, Methods = route.Methods },
            MaxRequestBodySize = route.Kind == RouteKind.Upload ? options.MaxUploadBodyBytes : options.MaxRequestBodyBytes,
            // A stream has no overall timeout: it lasts as long as the client stays; the cluster's ActivityTimeout still ends a silent one.
            Timeout = route.Kind switch
            {
                RouteKind.Upload => options.UploadTimeout,
                RouteKind.Stream => null,
                _ => options.RequestTimeout,
            },
            // The edge checks tokens; the services check them again (defence in depth).
            AuthorizationPolicy = route.RequiresAuthentication ? "default" : "anonymous",
            Metadata = new Dictionary<string, string> { [RouteMetadataKey] = route.Id },
        }).ToList();

        var clusters = GatewayRoutes.Services.Select(service => new ClusterConfig
        {
            ClusterId = service,
            LoadBalancingPolicy = "PowerOfTwoChoices",
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [service] = new() { Address = $"http://{service}" },
            },
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = options.HealthCheckInterval,
                    Timeout = TimeSpan.FromSeconds(2),
                    Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    Path = "/alive",
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = options.HealthCheckInterval * 2,
                },
                AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
            },
            HttpRequest = new ForwarderRequestConfig
            {
                // Idle time allowed between two reads or writes on the way to or from a replica (an upload's slow client, a quiet stream).
                ActivityTimeout = options.IdleTimeout,
            },
        }).ToList();

        return (routes, clusters);
    }
}
