using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.AppHost;

/// <summary>Nothing outlives the AppHost: not after a test's dispose, not after SIGTERM to `dotnet Stox.AppHost.dll`.</summary>
/// <remarks>
/// The dispose test marks its run through this process's environment, which every AppHost started meanwhile inherits:
/// it runs alone, or another fixture's still-running system would count as left behind.
/// </remarks>
[Collection(LifecycleCollection.Name)]
public sealed class LifecycleTests
{
    private const string Marker = "STOX_TEST_RUN";

    [Fact]
    public async Task Dispose_leaves_no_process_behind()
    {
        var run = Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(Marker, run);
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();
            builder.KeepOnly("authdb", "cache", "messaging", "storage");
            var app = await builder.BuildAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await app.StartAsync(timeout.Token);
            await app.WaitForAllHealthyAsync(timeout.Token);
            var running = ProcessesOf(run);
            var listing = string.Join(Environment.NewLine, running.Select(p => p.Command));
            Assert.True(running.Any(p => p.Command.Contains("postgres", StringComparison.Ordinal)), "postgres not among" + Environment.NewLine + listing);
            Assert.True(running.Any(p => p.Command.Contains("redis-server", StringComparison.Ordinal)), "redis-server not among" + Environment.NewLine + listing);
            Assert.True(running.Any(p => p.Command.Contains("beam.smp", StringComparison.Ordinal)), "beam.smp not among" + Environment.NewLine + listing);
            Assert.True(running.Any(p => p.Command.Contains("epmd", StringComparison.Ordinal)), "epmd not among" + Environment.NewLine + listing);
            Assert.True(running.Any(p => p.Command.Contains("start.mjs", StringComparison.Ordinal)), "start.mjs not among" + Environment.NewLine + listing);

            await app.DisposeAsync();

            await WaitUntilGoneAsync(run, TimeSpan.FromSeconds(30));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Marker, null);
        }
    }

    [Fact]
    public async Task SIGTERM_stops_every_server_and_service()
    {
        var run = Guid.NewGuid().ToString("N");
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add(AppHostAssembly);
        startInfo.ArgumentList.Add("--DcpPublisher:RandomizePorts=true");
        startInfo.Environment[Marker] = run;
        startInfo.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        startInfo.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://127.0.0.1:0";
        startInfo.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Development";
        using var process = Process.Start(startInfo)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Every server and the first projects running: enough to show that SIGTERM reaches them all.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            while (!(ProcessesOf(run) is var running
                     && running.Any(p => p.Command.Contains("beam.smp", StringComparison.Ordinal))
                     && running.Any(p => p.Command.Contains("postgres", StringComparison.Ordinal))
                     && running.Count(p => p.Command.Contains("Stox.", StringComparison.Ordinal) && !p.Command.Contains("AppHost", StringComparison.Ordinal)) >= 4))
            {
                Assert.False(process.HasExited, string.Join(Environment.NewLine, output));
                await Task.Delay(500, timeout.Token);
            }

            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

            await WaitUntilGoneAsync(run, TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string AppHostAssembly =>
        Path.Combine(
            Projects.Stox_AppHost.ProjectPath.EndsWith(".csproj", StringComparison.Ordinal) ? Path.GetDirectoryName(Projects.Stox_AppHost.ProjectPath)! : Projects.Stox_AppHost.ProjectPath,
            "bin", "Debug", "net10.0", "Stox.AppHost.dll");

    private static async Task WaitUntilGoneAsync(string run, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (ProcessesOf(run) is { Count: > 0 } left)
        {
            Assert.True(DateTime.UtcNow < deadline, "still running: " + string.Join("; ", left.Select(p => $"{p.Pid} {p.Command}")));
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Every process whose environment carries this run's marker (DCP passes the AppHost's environment on), and their
    /// descendants: redis-server and PostgreSQL rewrite their process title over their environment.
    /// </summary>
    private static List<(int Pid, string Command)> ProcessesOf(string run)
    {
        var parents = new Dictionary<int, int>();
        var marked = new HashSet<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (File.ReadAllText(Path.Combine(folder, "environ")).Contains($"{Marker}={run}", StringComparison.Ordinal))
                {
                    marked.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        bool IsOfRun(int pid)
        {
            for (var current = pid; current > 1; current = parents.GetValueOrDefault(current))
            {
                if (marked.Contains(current))
                {
                    return true;
                }
            }

            return false;
        }

        var found = new List<(int, string)>();
        foreach (var pid in parents.Keys.Where(IsOfRun))
        {
            try
            {
                found.Add((pid, File.ReadAllText($"/proc/{pid.ToString(System.Globalization.CultureInfo.InvariantCulture)}/cmdline").Replace('\0', ' ')));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LifecycleCollection
{
    public const string Name = "AppHost lifecycle";
}
