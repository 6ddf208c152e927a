using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.HttpOverrides;
using Stox.Frontend.Backends;
using Stox.Frontend.Bff;
using Stox.Frontend.Components;
using Stox.Frontend.Images;
using Stox.Frontend.Sessions;
using StackExchange.Redis;

namespace Stox.Frontend.Extensions;

public static class FrontendExtensions
{
    /// <summary>The Redis list of Data Protection keys (a hash under another name before StackExchange.Redis).</summary>
    internal const string DataProtectionKeys = "stox:frontend:data-protection-keys";

    /// <summary>Sessions in Redis, Data Protection keys in Redis, clients for auth, jobs and the gateway, Razor components.</summary>
    public static IHostApplicationBuilder AddFrontend(this IHostApplicationBuilder builder)
    {
        // Connects in the background and reconnects by itself: start-up does not wait for Redis, a restart is survived.
        builder.AddRedisClient("cache", configureOptions: redis => redis.AbortOnConnectFail = false);
        builder.Services.AddOptions<FrontendOptions>()
            .BindConfiguration(FrontendOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingletonTimeProvider();

        // The key ring in Redis, shared by every replica and kept across restarts, so that session cookies, encrypted
        // sessions and antiforgery tokens stay valid (PersistKeysToStackExchangeRedis, on the service's one multiplexer).
        builder.Services.AddDataProtection().SetApplicationName("stox-frontend");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IConnectionMultiplexer>((keys, redis) => keys.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), DataProtectionKeys));

        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTransient<ForwardClientAddressHandler>();
        builder.Services.AddHttpClient<AuthClient>(client => client.BaseAddress = new Uri("http://auth"))
            .AddHttpMessageHandler<ForwardClientAddressHandler>();
        builder.Services.AddHttpClient<JobsClient>(client => client.BaseAddress = new Uri("http://jobs"))
            .AddHttpMessageHandler<ForwardClientAddressHandler>()
            // Content URLs answer with a redirect to S3 that the browser, not this app, should follow.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        builder.Services.AddHttpClient<EdgeClient>(client => client.BaseAddress = new Uri("http://gateway"))
            .AddHttpMessageHandler<ForwardClientAddressHandler>();
        builder.Services.AddHttpClient(EventsRelay.ClientName, client =>
        {
            client.BaseAddress = new Uri("http://jobs");
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        builder.Services.AddHttpClient(MediaEndpoints.StorageClientName);

        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddScoped<SessionManager>();
        builder.Services.AddScoped<UserApi>();
        builder.Services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddAntiforgery(antiforgery =>
        {
            // Antiforgery refuses Always on plain HTTP (local runs); behind TLS, X-Forwarded-Proto makes it Secure.
            antiforgery.Cookie.Name = "stox-csrf";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.HeaderName = BffEndpoints.CsrfHeader;
        });
        builder.Services.AddRazorComponents();

        // The host too: redirects and absolute links must name the gateway's address, not this service's.
        builder.TrustForwardedHeadersFrom(
            builder.Configuration.GetSection($"{FrontendOptions.SectionName}:{nameof(FrontendOptions.KnownProxies)}").Get<string[]>() ?? [],
            ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost);
        return builder;
    }

    public static WebApplication UseFrontend(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseMiddleware<ContentSecurityPolicyMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapFrontend(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapBff();
        app.MapRazorComponents<App>();
        return app;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (services.All(s => s.ServiceType != typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
