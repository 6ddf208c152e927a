using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Stox.ServiceDefaults.Redis;
using Stox.ServiceDefaults.Resources;

namespace Microsoft.Extensions.Hosting;

public static class RedisExtensions
{
    /// <summary>
    /// Registers one <see cref="IRedisConnection"/> from <c>ConnectionStrings:{connectionName}</c>
    /// (<c>host:port,password=..</c>) and a health check (Aspire: AddRedisClient, with our own client since
    /// StackExchange.Redis does not restore here). It connects in the background: start-up does not wait for Redis.
    /// </summary>
    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var options = RedisConnectionOptions.Parse(ConnectionStrings.Require(builder.Configuration, connectionName));
        builder.Services.AddSingleton<IRedisConnection>(sp =>
            RedisConnection.Create(options, sp.GetService<ILoggerFactory>()?.CreateLogger("Stox.Redis")));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => new RedisHealthCheck(sp.GetRequiredService<IRedisConnection>()),
            failureStatus: null,
            tags: null));
        return builder;
    }
}
