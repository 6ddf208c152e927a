namespace Stox.Hosting;

/// <summary>A PostgreSQL server (Aspire: PostgresServerResource).</summary>
public sealed class PostgresServerResource : Resource, IResourceWithConnectionString
{
    public PostgresServerResource(string name, ParameterResource password) : base(name)
    {
        PasswordParameter = password;
        Endpoints.Add(new EndpointAnnotation(this, "tcp", "tcp", targetPort: 5432) { Host = "127.0.0.1" });
    }

    public string UserName => "postgres";

    public ParameterResource PasswordParameter { get; }

    public List<PostgresDatabaseResource> Databases { get; } = [];

    /// <summary>The folder holding initdb and postgres; found under /usr/lib/postgresql when null.</summary>
    public string? BinDirectory { get; set; }

    public EndpointReference PrimaryEndpoint => GetEndpoint("tcp").Reference;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");
}

/// <summary>A database on a PostgreSQL server (Aspire: PostgresDatabaseResource).</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
    : Resource(name), IResourceWithConnectionString, IResourceWithParent
{
    public string DatabaseName { get; } = databaseName;

    public PostgresServerResource Server { get; } = parent;

    public IResource Parent => Server;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{new ConnectionStringReference(Server)};Database={DatabaseName}");
}

public static class PostgresBuilderExtensions
{
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name)
    {
        var password = builder.AddParameter($"{name}-password", secret: true);
        return builder.AddResource(new PostgresServerResource(name, password.Resource));
    }

    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.Databases.Add(database);
        database.WaitsFor.Add(builder.Resource);
        return builder.ApplicationBuilder.AddResource(database);
    }

    /// <summary>Runs PostgreSQL from another folder of binaries (initdb, postgres).</summary>
    public static IResourceBuilder<PostgresServerResource> WithBinDirectory(this IResourceBuilder<PostgresServerResource> builder, string directory)
    {
        builder.Resource.BinDirectory = directory;
        return builder;
    }
}
