using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Stox.AppHost.LocalServers;

/// <summary>
/// The backing servers under their Aspire names. Run mode starts each as a local process (these machines have no
/// container images); publish mode declares Aspire's own typed resources, so the manifest is what azd expects.
/// </summary>
public static class StoxServers
{
    public static PostgresServer AddPostgresServer(this IDistributedApplicationBuilder builder, string name) =>
        builder.ExecutionContext.IsRunMode
            ? new PostgresServer(builder.AddLocalPostgres(name, State(builder)), null)
            : new PostgresServer(null, builder.AddPostgres(name));

    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(this IDistributedApplicationBuilder builder, string name) =>
        builder.ExecutionContext.IsRunMode ? builder.AddLocalRedis(name, State(builder)) : builder.AddRedis(name);

    public static IResourceBuilder<IResourceWithConnectionString> AddRabbitMQServer(this IDistributedApplicationBuilder builder, string name) =>
        builder.ExecutionContext.IsRunMode ? builder.AddLocalRabbitMQ(name, State(builder)) : builder.AddRabbitMQ(name);

    public static IResourceBuilder<IResourceWithConnectionString> AddS3Storage(this IDistributedApplicationBuilder builder, string name, string bucket) =>
        builder.ExecutionContext.IsRunMode ? builder.AddLocalS3(name, bucket, State(builder)) : builder.AddS3Container(name, bucket);

    /// <summary>One state folder per AppHost: created with the first local server, removed when the AppHost stops.</summary>
    private static LocalServerState State(IDistributedApplicationBuilder builder)
    {
        if (builder.Services.FirstOrDefault(d => d.ServiceType == typeof(LocalServerState))?.ImplementationInstance is LocalServerState existing)
        {
            return existing;
        }

        var state = LocalServerState.Create(builder);
        builder.Services.AddSingleton(state);
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
            lifetime.ApplicationStopped.Register(state.DeleteIfTemporary);
            return Task.CompletedTask;
        });
        return state;
    }
}

/// <summary>A PostgreSQL server of either mode, and the way to add its databases.</summary>
public sealed class PostgresServer
{
    private readonly IResourceBuilder<LocalPostgresResource>? _local;
    private readonly IResourceBuilder<PostgresServerResource>? _container;

    internal PostgresServer(IResourceBuilder<LocalPostgresResource>? local, IResourceBuilder<PostgresServerResource>? container)
    {
        _local = local;
        _container = container;
    }

    public IResourceBuilder<IResourceWithConnectionString> Server => (IResourceBuilder<IResourceWithConnectionString>?)_local ?? _container!;

    public IResourceBuilder<IResourceWithConnectionString> AddDatabase(string name) =>
        _local is not null ? _local.AddDatabase(name) : _container!.AddDatabase(name);
}
