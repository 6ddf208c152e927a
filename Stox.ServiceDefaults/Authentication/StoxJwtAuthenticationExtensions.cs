using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stox.ServiceDefaults.Authentication;

namespace Microsoft.Extensions.Hosting;

public static class StoxJwtAuthenticationExtensions
{
    /// <summary>
    /// Validates Stox access tokens (issuer <c>stox-auth</c>, audience <c>stox-api</c>, RS256) with the public keys
    /// the auth service publishes at <c>http://auth/.well-known/jwks.json</c>; no shared secret. Settings in
    /// <c>Authentication:Stox</c> (<see cref="StoxJwtOptions"/>). Adds authorization too; use
    /// <c>RequireAuthorization()</c> / <c>RequireRole("admin")</c> on endpoints.
    /// </summary>
    public static IHostApplicationBuilder AddStoxJwtAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<StoxJwtOptions>()
            .BindConfiguration(StoxJwtOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(JwksSigningKeyResolver.HttpClientName);
        builder.Services.TryAddSingleton<ISigningKeyResolver, JwksSigningKeyResolver>();
        builder.Services.AddAuthentication(StoxJwtDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, StoxJwtAuthenticationHandler>(StoxJwtDefaults.AuthenticationScheme, null);
        builder.Services.AddAuthorization();
        return builder;
    }
}
