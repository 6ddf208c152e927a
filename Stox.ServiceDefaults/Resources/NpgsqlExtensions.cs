using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stox.ServiceDefaults.Resources;
using Stox.ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

public static class NpgsqlExtensions
{
    /// <summary>
    /// Registers a pooled EF Core DbContext on the PostgreSQL database <c>ConnectionStrings:{connectionName}</c>,
    /// with retries on transient failures, a health check and Npgsql's traces and metrics (Aspire: AddNpgsqlDbContext).
    /// </summary>
    public static IHostApplicationBuilder AddNpgsqlDbContext<TContext>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<DbContextOptionsBuilder>? configure = null)
        where TContext : DbContext
    {
        var connectionString = ConnectionStrings.Require(builder.Configuration, connectionName);
        builder.Services.AddDbContextPool<TContext>(options =>
        {
            options.UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure());
            configure?.Invoke(options);
        });
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>(connectionName);
        builder.Services.AddTelemetrySources(sources =>
        {
            sources.ActivitySources.Add("Npgsql");
            sources.Meters.Add("Npgsql");
        });
        return builder;
    }
}
