using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Stox.ServiceDefaults.Redis;

/// <summary>Registers the Redis client the way an Aspire client integration would.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Reads <c>ConnectionStrings:{connectionName}</c>, registers a singleton <see cref="IRedisConnection"/> (created
    /// with <see cref="RedisConnection.Create"/>: it connects in the background, so start-up does not wait for Redis)
    /// and a health check named <paramref name="connectionName"/>. The host disposes the connection on shutdown.
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection string is missing.</exception>
    /// <exception cref="FormatException">The connection string is malformed.</exception>
    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName = "cache")
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured.");
        }

        var options = RedisConnectionOptions.Parse(connectionString);
        builder.Services.AddSingleton<IRedisConnection>(sp =>
            RedisConnection.Create(options, sp.GetService<ILoggerFactory>()?.CreateLogger("Stox.Redis")));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => new RedisHealthCheck(sp.GetRequiredService<IRedisConnection>()),
            HealthStatus.Unhealthy,
            ["ready"]));
        return builder;
    }
}
