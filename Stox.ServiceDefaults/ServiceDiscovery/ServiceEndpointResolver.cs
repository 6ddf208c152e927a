using Microsoft.Extensions.Configuration;

namespace Stox.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Resolves logical service addresses such as <c>http://auth</c>, <c>https+http://auth</c> or
/// <c>http://_grpc.auth</c> from configuration <c>services:{name}:{endpoint}:{index}</c>, the way
/// Microsoft.Extensions.ServiceDiscovery's configuration provider does (not available here).
/// </summary>
public sealed class ServiceEndpointResolver(IConfiguration configuration)
{
    private int _next;

    /// <summary>Every endpoint known for the address, in preference order; empty when the host is not a known service.</summary>
    public IReadOnlyList<Uri> Resolve(Uri address)
    {
        var (endpointName, serviceName) = SplitHost(address.Host);
        var service = configuration.GetSection("services").GetSection(serviceName);
        if (!service.Exists())
        {
            return [];
        }

        // "https+http" means: https if the service has it, otherwise http.
        var schemes = address.Scheme.Split('+');
        foreach (var scheme in schemes)
        {
            var section = service.GetSection(endpointName ?? scheme);
            var urls = section.GetChildren()
                .OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue)
                .Select(c => c.Value)
                .Where(v => !string.IsNullOrWhiteSpace(v))
                .Select(v => new Uri(v!))
                .Where(u => endpointName is not null || u.Scheme == scheme)
                .ToList();
            if (urls.Count > 0)
            {
                return urls;
            }
        }

        return [];
    }

    /// <summary>One endpoint for the address, spreading calls over replicas; null when the host is not a known service.</summary>
    public Uri? ResolveOne(Uri address)
    {
        var endpoints = Resolve(address);
        return endpoints.Count == 0 ? null : endpoints[(int)((uint)Interlocked.Increment(ref _next) % (uint)endpoints.Count)];
    }

    /// <summary>Replaces a logical service address by a concrete one, keeping path and query.</summary>
    public Uri? Rewrite(Uri requestUri)
    {
        if (ResolveOne(requestUri) is not { } endpoint)
        {
            return null;
        }

        var builder = new UriBuilder(requestUri) { Scheme = endpoint.Scheme, Host = endpoint.Host, Port = endpoint.Port };
        return builder.Uri;
    }

    private static (string? EndpointName, string ServiceName) SplitHost(string host) =>
        host.StartsWith('_') && host.IndexOf('.', StringComparison.Ordinal) is > 1 and var dot
            ? (host[1..dot], host[(dot + 1)..])
            : (null, host);
}
