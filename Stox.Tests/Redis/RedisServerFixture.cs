using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Stox.ServiceDefaults.Redis;

namespace Stox.Tests.Redis;

/// <summary>
/// A throw-away redis-server (Debian's /usr/bin/redis-server) on a free 127.0.0.1 port with a generated password,
/// no persistence and its own folder. <see cref="StopAsync"/> kills it (SIGKILL) and <see cref="StartAsync"/> starts
/// it again on the same port, for restart tests. Kept small on purpose: to be replaced by the shared testing builder.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime, IAsyncDisposable
{
    private const string ServerPath = "/usr/bin/redis-server";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "stox-redis-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port},password={Password}";

    /// <summary>Options for this server with quick reconnection back-off, suitable for tests.</summary>
    public RedisConnectionOptions Options(string? extra = null)
    {
        var options = RedisConnectionOptions.Parse(extra is null ? ConnectionString : ConnectionString + "," + extra);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(250);
        return options;
    }

    public Task<RedisConnection> ConnectAsync(string? extra = null) => RedisConnection.ConnectAsync(Options(extra));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        Port = FreePort();
        await StartAsync();
    }

    public async Task StartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("redis-server is already running.");
        }

        var start = new ProcessStartInfo(ServerPath) { UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--requirepass", Password, "--save", "", "--appendonly", "no", "--dir", _dir,
                     "--daemonize", "no", "--logfile", Path.Combine(_dir, "redis.log"),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!await AnswersAsync(deadline.Token))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}: {ReadLog()}");
            }

            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"redis-server did not answer on port {Port}: {ReadLog()}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>Kills the server (no clean shutdown) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        using (process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {Password}\r\nPING\r\n"), cancellationToken);
            var buffer = new byte[256];
            var text = new StringBuilder();
            while (!text.ToString().Contains("+PONG", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    return false;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                if (text.ToString().Contains("-LOADING", StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private string ReadLog()
    {
        try
        {
            return File.ReadAllText(Path.Combine(_dir, "redis.log"));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
