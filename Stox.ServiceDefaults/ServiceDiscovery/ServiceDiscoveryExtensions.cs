using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Stox.ServiceDefaults.ServiceDiscovery;

public static class ServiceDiscoveryExtensions
{
    public static IServiceCollection AddServiceDiscovery(this IServiceCollection services)
    {
        services.TryAddSingleton<ServiceEndpointResolver>();
        services.TryAddTransient<ServiceDiscoveryHandler>();
        return services;
    }

    /// <summary>Lets the client address services by name: <c>http://auth</c>, <c>https+http://auth</c>.</summary>
    public static IHttpClientBuilder AddServiceDiscovery(this IHttpClientBuilder builder)
    {
        builder.Services.AddServiceDiscovery();
        return builder.AddHttpMessageHandler<ServiceDiscoveryHandler>();
    }
}

/// <summary>Rewrites a logical service address to a concrete endpoint for this one attempt.</summary>
internal sealed class ServiceDiscoveryHandler(ServiceEndpointResolver resolver) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri;
        if (original is null || resolver.Rewrite(original) is not { } resolved)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        request.RequestUri = resolved;
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            // A retry by an outer handler resolves again, possibly to another replica.
            request.RequestUri = original;
        }
    }
}
