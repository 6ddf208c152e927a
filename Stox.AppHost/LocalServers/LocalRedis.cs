using Microsoft.Extensions.DependencyInjection;

namespace Stox.AppHost.LocalServers;

/// <summary>
/// redis-server from Debian's package as a local process, with a password. Connection string and properties are
/// those of Aspire's RedisResource.
/// </summary>
public sealed class LocalRedisResource(string name, ParameterResource password, string folder)
    : ExecutableResource(name, "redis-server", folder), IResourceWithConnectionString
{
    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public EndpointReferenceExpression Host => PrimaryEndpoint.Property(EndpointProperty.Host);

    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    public string ConfigFile => Path.Combine(WorkingDirectory, "redis.conf");

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");

    public ReferenceExpression UriExpression => ReferenceExpression.Create($"redis://:{PasswordParameter:uri}@{Host}:{Port}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Host}")),
        new("Port", ReferenceExpression.Create($"{Port}")),
        new("Password", ReferenceExpression.Create($"{PasswordParameter}")),
        new("Uri", UriExpression),
    ];
}

internal static class LocalRedisBuilderExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, LocalServerState state)
    {
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var redis = new LocalRedisResource(name, password, state.For(name));
        var binary = Binaries.Find(name, "redis-server", "redis-server", "/usr/bin");

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, ct) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(ct));

        // The password goes in a file only we can read, so it never shows in the process list.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(redis, async (_, ct) =>
        {
            await File.WriteAllTextAsync(redis.ConfigFile, string.Join('\n',
            [
                "bind 127.0.0.1",
                $"requirepass {await password.GetValueAsync(ct)}",
                $"dir \"{redis.WorkingDirectory}\"",
                "daemonize no",
                "save \"\"",
                $"appendonly {(state.Keep ? "yes" : "no")}",
            ]) + "\n", ct);
            File.SetUnixFileMode(redis.ConfigFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        });

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException("The connection string is not available yet."),
            name: healthCheckKey);

        return builder.AddResource(redis)
            .WithCommand(binary)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add(redis.ConfigFile);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithServerType("Redis")
            .WithIconName("Memory")
            .WithHealthCheck(healthCheckKey);
    }
}
