using Stox.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stox.Auth.Apis;
using Stox.Auth.Data;
using Stox.Auth.Passwords;
using Stox.Auth.RateLimiting;
using Stox.Auth.Tokens;
using Stox.Auth.Usage;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Auth.Extensions;

public static class AuthServiceExtensions
{
    /// <summary>Everything the auth service needs beyond the service defaults.</summary>
    public static IHostApplicationBuilder AddAuthServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<AuthDbContext>("authdb");
        // Connects in the background and reconnects by itself: start-up does not wait for Redis, a restart is survived.
        builder.AddRedisClient("cache", configureOptions: redis => redis.AbortOnConnectFail = false);
        // Transitional, until AddServiceDefaults runs on OpenTelemetry.Extensions.Hosting (issue 17, item 1), which exports
        // the sources Aspire's integrations register themselves: then delete this.
        builder.Services.AddTelemetrySources(sources =>
        {
            sources.ActivitySources.Add("Npgsql");
            sources.Meters.Add("Npgsql");
        });

        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddSingleton<PasswordHasher>();
        builder.Services.AddSingleton<SigningKeyStore>();
        builder.Services.AddSingleton<ISigningKeyResolver>(sp => sp.GetRequiredService<SigningKeyStore>());
        builder.Services.AddHostedService<SigningKeyReloader>();
        builder.Services.AddSingleton<AccessTokenIssuer>();
        builder.Services.AddScoped<SessionService>();
        builder.Services.AddSingleton<AttemptLimiter>();
        builder.Services.AddHttpClient<JobsUsageClient>(client => client.BaseAddress = new Uri("http://jobs"));

        // Auth validates its own tokens with the shared handler, keys read in-process rather than over HTTP.
        builder.Services.AddOptions<StoxJwtOptions>().Configure<IOptions<AuthOptions>>((jwt, auth) =>
        {
            jwt.Issuer = auth.Value.Issuer;
            jwt.Audience = auth.Value.Audience;
        });
        builder.Services.AddAuthentication(StoxJwtDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, StoxJwtAuthenticationHandler>(StoxJwtDefaults.AuthenticationScheme, null);
        builder.Services.AddAuthorization();

        builder.TrustForwardedHeadersFrom(
            builder.Configuration.GetSection($"{AuthOptions.SectionName}:{nameof(AuthOptions.KnownProxyNetworks)}").Get<string[]>() ?? []);
        return builder;
    }

    /// <summary>Applies the migrations and makes sure a signing key exists, before the service takes requests.</summary>
    public static async Task InitializeAuthAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            await db.Database.MigrateAsync(cancellationToken);
        }

        await app.Services.GetRequiredService<SigningKeyStore>().InitializeAsync(cancellationToken);
    }

    public static WebApplication MapAuthEndpoints(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapWellKnownApi();
        app.MapAuthApi();
        app.MapAccountApi();
        app.MapAdminApi();
        return app;
    }
}
