using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class TrustedProxiesExtensions
{
    /// <summary>
    /// Believes <c>X-Forwarded-*</c> only from loopback and the given proxies (addresses or CIDR networks), one hop
    /// deep. ASPNETCORE_FORWARDEDHEADERS_ENABLED (which Aspire sets) alone would trust any sender, so a client could
    /// choose its own IP; with this, the host's middleware uses these options, or the middleware is added when the
    /// host does not run it.
    /// </summary>
    public static IHostApplicationBuilder TrustForwardedHeadersFrom(
        this IHostApplicationBuilder builder,
        IEnumerable<string> proxies,
        ForwardedHeaders headers = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto)
    {
        var trusted = proxies.ToList();
        builder.Services.PostConfigure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = headers;
            forwarded.ForwardLimit = 1;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Add(IPAddress.Loopback);
            forwarded.KnownProxies.Add(IPAddress.IPv6Loopback);
            forwarded.KnownProxies.Add(IPAddress.Loopback.MapToIPv6());
            foreach (var proxy in trusted)
            {
                if (proxy.Contains('/', StringComparison.Ordinal))
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                }
                else
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
                }
            }
        });

        if (!builder.Configuration.GetValue<bool>("FORWARDEDHEADERS_ENABLED"))
        {
            builder.Services.AddTransient<IStartupFilter, ForwardedHeadersStartupFilter>();
        }

        return builder;
    }

    private sealed class ForwardedHeadersStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseForwardedHeaders();
            next(app);
        };
    }
}
