using System.Text;

namespace Stox.Hosting.Publishing;

/// <summary>
/// The databases a containerised PostgreSQL creates on its first start (a script in
/// <c>/docker-entrypoint-initdb.d</c>), as run mode creates them on the local server.
/// </summary>
internal static class PostgresInit
{
    public static string CreateDatabasesSql(IEnumerable<DatabaseSpec> databases)
    {
        var sb = new StringBuilder("-- Runs once, when the data folder is empty.\n");
        foreach (var database in databases)
        {
            sb.Append("CREATE DATABASE \"").Append(database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\";\n");
        }

        return sb.ToString();
    }
}
