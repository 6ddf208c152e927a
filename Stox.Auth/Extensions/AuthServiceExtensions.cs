using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
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
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddSingleton<PasswordHasher>();
        builder.Services.AddSingleton<SigningKeyStore>();
        builder.Services.AddHostedService<SigningKeyReloader>();
        builder.Services.AddSingleton<AccessTokenIssuer>();
        builder.Services.AddScoped<SessionService>();
        builder.Services.AddSingleton<AttemptLimiter>();
        builder.Services.AddHttpClient<JobsUsageClient>(client => client.BaseAddress = new Uri("http://jobs"));

        // Auth validates its own tokens with JwtBearer and the shared rules, keys read in-process rather than over HTTP.
        builder.Services.AddAuthentication(StoxJwtDefaults.AuthenticationScheme).AddJwtBearer(StoxJwtDefaults.AuthenticationScheme);
        builder.Services.AddOptions<JwtBearerOptions>(StoxJwtDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, SigningKeyStore>((bearer, auth, keys) =>
            {
                StoxTokenValidation.ConfigureBearer(bearer, new StoxJwtOptions { Issuer = auth.Value.Issuer, Audience = auth.Value.Audience });
                bearer.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, kid, _) =>
                    kid is not null && keys.TryGetSecurityKey(kid) is { } key ? [key] : [];
                // A kid this replica has not seen yet (rotated through another one) is read from authdb before validation.
                bearer.Events.OnMessageReceived = async context =>
                {
                    string? authorization = context.Request.Headers.Authorization;
                    if (authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true
                        && authorization.Length - 7 <= StoxTokenValidation.MaxTokenLength
                        && ReadKeyId(authorization.AsSpan(7).Trim()) is { } kid)
                    {
                        await keys.EnsureKnownAsync(kid, context.HttpContext.RequestAborted);
                    }
                };
            });
        builder.Services.AddAuthorization();

        builder.TrustForwardedHeadersFrom(
            builder.Configuration.GetSection($"{AuthOptions.SectionName}:{nameof(AuthOptions.KnownProxyNetworks)}").Get<string[]>() ?? []);
        return builder;
    }

    private static string? ReadKeyId(ReadOnlySpan<char> token)
    {
        var handler = new JsonWebTokenHandler();
        var text = token.ToString();
        if (!handler.CanReadToken(text))
        {
            return null;
        }

        try
        {
            return handler.ReadJsonWebToken(text).Kid;
        }
        catch (ArgumentException)
        {
            return null;
        }
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
