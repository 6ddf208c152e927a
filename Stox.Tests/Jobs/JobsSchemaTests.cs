using Microsoft.EntityFrameworkCore;
using Npgsql;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Jobs.Data;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Jobs;

/// <summary>The hand-written migration and the EF model agree: every mapped table and column exists with the model's nullability.</summary>
[Collection(SystemCollection.Name)]
public sealed class JobsSchemaTests(StoxAppFixture fixture)
{
    [Fact]
    public async Task The_migrated_jobs_database_has_every_column_the_model_maps()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("jobsdb");
        await using var db = new JobsDbContext(new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql(connectionString).Options);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var columns = new Dictionary<(string Table, string Column), bool>();
        await using (var command = new NpgsqlCommand("SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2) == "YES";
            }
        }

        var missing = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName();
                if (!columns.TryGetValue((table, column), out var nullable))
                {
                    missing.Add($"{table}.{column} is missing");
                }
                else if (nullable != property.IsNullable)
                {
                    missing.Add($"{table}.{column} is {(nullable ? "nullable" : "not nullable")} in the database only");
                }
            }
        }

        Assert.Empty(missing);
    }
}
