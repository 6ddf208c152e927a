using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Stox.AppHost.LocalServers;

/// <summary>
/// PostgreSQL from Debian's postgresql package, run as a local process (as the 'postgres' user when the
/// AppHost runs as root: PostgreSQL refuses root). Connection string and properties are those of Aspire's
/// PostgresServerResource.
/// </summary>
public sealed class LocalPostgresResource(string name, ParameterResource password, string folder)
    : ExecutableResource(name, ProcessWrapper.Shell, folder), IResourceWithConnectionString
{
    internal const string UserName = "postgres";

    private readonly Dictionary<string, string> _databases = new(StringComparer.OrdinalIgnoreCase);

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public string DataDirectory => Path.Combine(WorkingDirectory, "data");

    /// <summary>Resource name to database name.</summary>
    public IReadOnlyDictionary<string, string> Databases => _databases;

    public EndpointReferenceExpression Host => PrimaryEndpoint.Property(EndpointProperty.Host);

    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host={Host};Port={Port};Username={UserName};Password={PasswordParameter}");

    internal void AddDatabase(string resourceName, string databaseName) => _databases.TryAdd(resourceName, databaseName);

    internal ReferenceExpression BuildUri(string? databaseName = null) => databaseName is null
        ? ReferenceExpression.Create($"postgresql://{UserName}:{PasswordParameter:uri}@{Host}:{Port}")
        : ReferenceExpression.Create($"postgresql://{UserName}:{PasswordParameter:uri}@{Host}:{Port}/{databaseName:uri}");

    internal ReferenceExpression BuildJdbc(string? databaseName = null) => databaseName is null
        ? ReferenceExpression.Create($"jdbc:postgresql://{Host}:{Port}")
        : ReferenceExpression.Create($"jdbc:postgresql://{Host}:{Port}/{databaseName:uri}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Host}")),
        new("Port", ReferenceExpression.Create($"{Port}")),
        new("Username", ReferenceExpression.Create($"{UserName}")),
        new("Password", ReferenceExpression.Create($"{PasswordParameter}")),
        new("Uri", BuildUri()),
        new("JdbcConnectionString", BuildJdbc()),
    ];
}

/// <summary>A database on a <see cref="LocalPostgresResource"/>, created once the server is healthy.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};{new DbConnectionStringBuilder { ["Database"] = DatabaseName }.ToString()}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
        ((IResourceWithConnectionString)Parent).GetConnectionProperties()
            .Where(p => p.Key is not ("Uri" or "JdbcConnectionString"))
            .Concat(
            [
                new("DatabaseName", ReferenceExpression.Create($"{DatabaseName}")),
                new("Uri", Parent.BuildUri(DatabaseName)),
                new("JdbcConnectionString", Parent.BuildJdbc(DatabaseName)),
            ]);
}

internal static class LocalPostgresBuilderExtensions
{
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name, LocalServerState state)
    {
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password");
        var server = new LocalPostgresResource(name, password, state.For(name));
        var postgresBinary = Binaries.Find(name, "postgres", "postgresql", Binaries.Versioned("/usr/lib/postgresql", "bin"));

        string? adminConnectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            adminConnectionString = await server.ConnectionStringExpression.GetValueAsync(ct) + ";Database=postgres");
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (e, ct) =>
            await InitializeDataDirectoryAsync(server, Path.GetDirectoryName(postgresBinary)!, e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server), ct));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (e, ct) =>
            await CreateDatabasesAsync(server, builder, adminConnectionString!, e.Services, ct));

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => adminConnectionString ?? throw new InvalidOperationException("The connection string is not available yet."),
            name: healthCheckKey);

        return builder.AddResource(server)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                List<object> command =
                [
                    .. AsPostgresUser(),
                    postgresBinary,
                    "-D", server.DataDirectory,
                    "-p", server.PrimaryEndpoint.Property(EndpointProperty.TargetPort),
                    "-c", "listen_addresses=127.0.0.1",
                    "-c", "unix_socket_directories=",
                    "-c", "max_connections=300",
                ];
                if (!state.Keep)
                {
                    // Throw-away data: no need to wait for the disk.
                    command.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
                }

                // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
                foreach (var argument in ProcessWrapper.Arguments(name, "INT", sidecar: null, command))
                {
                    context.Args.Add(argument);
                }
            })
            .WithServerType("PostgreSQL")
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey);
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresResource> builder, string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.AddDatabase(name, database.DatabaseName);

        string? connectionString = null;
        builder.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheckKey = $"{name}_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("The connection string is not available yet."),
            name: healthCheckKey);

        return builder.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.NotStarted,
                Properties = [new(CustomResourceKnownProperties.Source, builder.Resource.Name)],
            })
            .WithIconName("Database")
            .WithHealthCheck(healthCheckKey);
    }

    private static string[] AsPostgresUser() =>
        Binaries.IsRoot ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : [];

    private static async Task InitializeDataDirectoryAsync(LocalPostgresResource server, string binDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")))
        {
            return;
        }

        var passwordFile = Path.Combine(server.WorkingDirectory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, await server.PasswordParameter.GetValueAsync(cancellationToken), cancellationToken);
        try
        {
            if (Binaries.IsRoot)
            {
                await LocalCommand.RunAsync("chown", ["-R", "postgres:postgres", server.WorkingDirectory], logger, cancellationToken);
            }

            string[] initdb =
            [
                .. AsPostgresUser(), Path.Combine(binDirectory, "initdb"),
                "-D", server.DataDirectory, "-U", LocalPostgresResource.UserName, $"--pwfile={passwordFile}",
                "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync",
            ];
            await LocalCommand.RunAsync(initdb[0], initdb[1..], logger, cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static async Task CreateDatabasesAsync(LocalPostgresResource server, IDistributedApplicationBuilder builder, string adminConnectionString, IServiceProvider services, CancellationToken cancellationToken)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
        await using var connection = new NpgsqlConnection(adminConnectionString + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == server))
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
            exists.Parameters.AddWithValue(database.DatabaseName);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                // Identifiers cannot be parameters: the name is quoted.
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
                logger.LogInformation("Created database '{Database}'.", database.DatabaseName);
            }

            // Aspire hands a parent's state to its children only for containers: say it ourselves.
            await notifications.PublishUpdateAsync(database, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
                StopTimeStamp = null,
            });
        }
    }
}
