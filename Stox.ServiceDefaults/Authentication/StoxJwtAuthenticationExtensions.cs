using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Stox.ServiceDefaults.Authentication;

namespace Microsoft.Extensions.Hosting;

public static class StoxJwtAuthenticationExtensions
{
    /// <summary>The HttpClient the key set is fetched with (service discovery and resilience, as every client).</summary>
    public const string JwksHttpClientName = "stox-jwks";

    /// <summary>
    /// Microsoft.IdentityModel's own switch: a refresh the validator asks for (a token names an unknown kid) is fetched
    /// before that token is validated again, not in the background. Without it the first requests carrying a freshly
    /// rotated key would be refused until the background fetch lands; auth signs with a new key at once.
    /// </summary>
    public const string UpdateConfigAsBlockingSwitch = "Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking";

    /// <summary>
    /// Validates Stox access tokens (issuer <c>stox-auth</c>, audience <c>stox-api</c>, RS256) with JwtBearer and the
    /// public keys the auth service publishes at <c>http://auth/.well-known/jwks.json</c> (service discovery); no shared
    /// secret. The library's ConfigurationManager caches the keys and fetches them again when a token names an unknown
    /// <c>kid</c>, so a key rotation needs no restart. Settings in <c>Authentication:Stox</c> (<see cref="StoxJwtOptions"/>).
    /// Adds authorization too; use <c>RequireAuthorization()</c> / <c>RequireRole("admin")</c> on endpoints.
    /// </summary>
    public static IHostApplicationBuilder AddStoxJwtAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AppContext.SetSwitch(UpdateConfigAsBlockingSwitch, true);
        builder.Services.AddOptions<StoxJwtOptions>()
            .BindConfiguration(StoxJwtOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient(JwksHttpClientName);
        builder.Services.AddAuthentication(StoxJwtDefaults.AuthenticationScheme).AddJwtBearer(StoxJwtDefaults.AuthenticationScheme);
        builder.Services.AddOptions<JwtBearerOptions>(StoxJwtDefaults.AuthenticationScheme)
            .Configure<IOptions<StoxJwtOptions>, IHttpClientFactory>((bearer, jwt, httpClientFactory) =>
            {
                var options = jwt.Value;
                StoxTokenValidation.ConfigureBearer(bearer, options);
                var retriever = new HttpDocumentRetriever(httpClientFactory.CreateClient(JwksHttpClientName))
                {
                    // Inside the application the services speak plain HTTP to each other (as Aspire wires them).
                    RequireHttps = false,
                };
                bearer.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                    options.JwksUri.ToString(), new JwksConfigurationRetriever(), retriever)
                {
                    AutomaticRefreshInterval = options.JwksRefreshInterval,
                    RefreshInterval = options.JwksMinimumRefetchInterval,
                };
            });
        builder.Services.AddAuthorization();
        return builder;
    }
}
