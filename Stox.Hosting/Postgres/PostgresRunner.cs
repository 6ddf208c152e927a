using Npgsql;
using Stox.Hosting.Orchestration;

namespace Stox.Hosting.Postgres;

/// <summary>
/// Runs PostgreSQL from Debian's postgresql package: initdb into the state folder, then postgres on a
/// loopback port. PostgreSQL refuses to run as root, so as root both run as the 'postgres' user.
/// </summary>
internal sealed class PostgresRunner(PostgresServerResource server, RunContext context) : ServerRunner(server, context)
{
    private string DataDirectory => Path.Combine(Context.ResourceDirectory(server.Name), "data");

    public override string Type => "PostgreSQL";

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var initdb = Binary("initdb");
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            return;
        }

        var folder = Context.ResourceDirectory(server.Name);
        var passwordFile = Path.Combine(folder, "pwfile");
        await File.WriteAllTextAsync(passwordFile, server.PasswordParameter.Value, cancellationToken);
        try
        {
            if (NativeMethods.IsRoot)
            {
                await RunToEndAsync("chown", ["-R", "postgres:postgres", folder], cancellationToken);
            }

            await RunToEndAsync(initdb, ["-D", DataDirectory, "-U", server.UserName, $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"], cancellationToken, asPostgres: true);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    protected override IReadOnlyList<ProcessSpec> GetProcesses()
    {
        List<string> arguments =
        [
            "-D", DataDirectory,
            "-p", server.GetEndpoint("tcp").Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=",
            "-c", "max_connections=300",
        ];
        if (!Context.Options.Persist)
        {
            // Throw-away data: no need to wait for the disk.
            arguments.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }

        var (file, args) = AsPostgresUser(Binary("postgres"), arguments);
        // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
        return [new ProcessSpec(file, args, new Dictionary<string, string?>(), Context.ResourceDirectory(server.Name), NativeMethods.SIGINT)];
    }

    protected override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync(cancellationToken));
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    internal async Task<string> AdminConnectionStringAsync(CancellationToken cancellationToken) =>
        await server.ConnectionStringExpression.GetValueAsync(cancellationToken) + ";Database=postgres;Pooling=false;Timeout=3";

    private string Binary(string name) =>
        ExecutableLocator.Find(
            server.Name,
            server.BinDirectory is null ? null : Path.Combine(server.BinDirectory, name),
            name,
            "postgresql",
            ExecutableLocator.VersionedDirectories("/usr/lib/postgresql", "bin"));

    private static (string File, List<string> Arguments) AsPostgresUser(string file, List<string> arguments) =>
        NativeMethods.IsRoot
            ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", file, .. arguments])
            : (file, arguments);

    private async Task RunToEndAsync(string file, List<string> arguments, CancellationToken cancellationToken, bool asPostgres = false)
    {
        var (command, args) = asPostgres ? AsPostgresUser(file, arguments) : (file, arguments);
        await using var process = ManagedProcess.Start(command, args, new Dictionary<string, string?>(), Context.StateDirectory, Context.Logs, server.Name);
        var exitCode = await process.Exited.WaitAsync(cancellationToken);
        if (exitCode != 0)
        {
            throw new DistributedApplicationException(
                $"Resource '{server.Name}': '{Path.GetFileName(file)}' exited with code {exitCode}.{Environment.NewLine}{Context.Logs.Tail(server.Name)}");
        }
    }
}

/// <summary>Creates a database on its server once the server is healthy.</summary>
internal sealed class PostgresDatabaseRunner(PostgresDatabaseResource database, RunContext context) : ResourceRunner(database, context)
{
    public override string Type => "PostgreSQLDatabase";

    public override IReadOnlyList<string> Urls => [];

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var connectionString = await database.Server.ConnectionStringExpression.GetValueAsync(cancellationToken) + ";Database=postgres;Pooling=false";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(database.DatabaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // Identifiers cannot be parameters; the name is quoted and was validated as a resource name.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            Log($"Created database '{database.DatabaseName}'.");
        }
    }

    public override Task StopAsync() => Task.CompletedTask;
}
