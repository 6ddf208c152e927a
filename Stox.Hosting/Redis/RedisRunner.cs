using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Stox.Hosting.Orchestration;

namespace Stox.Hosting.Redis;

/// <summary>Runs redis-server from Debian's redis-server package on a loopback port with a password.</summary>
internal sealed class RedisRunner(RedisResource redis, RunContext context) : ServerRunner(redis, context)
{
    public override string Type => "Redis";

    protected override Task PrepareAsync(CancellationToken cancellationToken)
    {
        Context.ResourceDirectory(redis.Name);
        return Task.CompletedTask;
    }

    protected override IReadOnlyList<ProcessSpec> GetProcesses()
    {
        var binary = ExecutableLocator.Find(redis.Name, redis.ExecutablePath, "redis-server", "redis-server", "/usr/bin");
        var directory = Context.ResourceDirectory(redis.Name);
        // Settings go in a file readable only by us, so the password never shows in the process list.
        var configFile = Path.Combine(directory, "redis.conf");
        File.WriteAllText(configFile, string.Join('\n',
        [
            $"port {redis.GetEndpoint("tcp").Port.ToString(CultureInfo.InvariantCulture)}",
            "bind 127.0.0.1",
            $"requirepass {redis.PasswordParameter.Value}",
            $"dir \"{directory}\"",
            "daemonize no",
            "save \"\"",
            $"appendonly {(Context.Options.Persist ? "yes" : "no")}",
        ]) + "\n");
        File.SetUnixFileMode(configFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        List<string> arguments = [configFile];
        return [new ProcessSpec(binary, arguments, new Dictionary<string, string?>(), directory)];
    }

    protected override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", redis.GetEndpoint("tcp").Port, cancellationToken);
            var stream = client.GetStream();
            var password = redis.PasswordParameter.Value;
            var request = $"*2\r\n$4\r\nAUTH\r\n${Encoding.UTF8.GetByteCount(password)}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request), cancellationToken);
            var buffer = new byte[64];
            var received = new StringBuilder();
            while (!received.ToString().Contains("+PONG", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0 || received.Append(Encoding.UTF8.GetString(buffer, 0, read)).ToString().StartsWith('-'))
                {
                    return false;
                }
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
