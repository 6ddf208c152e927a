using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Npgsql;

namespace Stox.Tests.Infrastructure;

/// <summary>The app model's "postgres" server alone, for tests that make databases of their own.</summary>
public sealed class PostgresServerFixture : AppModelFixture
{
    private string _serverConnectionString = string.Empty;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _serverConnectionString = await App.GetConnectionStringAsync("postgres") ?? throw new InvalidOperationException("No connection string.");
    }

    protected override void Configure(IDistributedApplicationTestingBuilder builder) => builder.KeepOnly("postgres");

    /// <summary>Creates an empty database of a name no other test uses and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = "postgres" }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = name }.ConnectionString;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
