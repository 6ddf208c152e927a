using System.Diagnostics;
using Stox.Hosting.Orchestration;

namespace Stox.Tests.Hosting;

/// <summary>The AppHost as a person runs it: start everything, print the table, stop cleanly on SIGTERM.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task SIGTERM_stops_projects_then_servers_and_leaves_no_process()
    {
        var appHost = new Projects.Stox_AppHost().AssemblyPath;
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add(appHost);
        startInfo.ArgumentList.Add("--AppHost:RandomizePorts=true");
        startInfo.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(startInfo)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.Contains("Press Ctrl+C to stop.", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(3));
            var children = ProcessTree.GetDescendants(process.Id);
            var table = output.SkipWhile(l => !l.Contains("All resources are healthy", StringComparison.Ordinal)).ToList();

            Assert.True(children.Count >= 12, $"expected servers and services, got {children.Count} processes");
            Assert.StartsWith("apphost       | gateway", table[2], StringComparison.Ordinal);

            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

            Assert.Equal(0, process.ExitCode);
            Assert.DoesNotContain(children, ProcessTree.IsAlive);
            var log = output.ToList();
            var gatewayStopped = log.FindIndex(l => l.StartsWith("gateway", StringComparison.Ordinal) && l.Contains("shutting down", StringComparison.OrdinalIgnoreCase));
            var postgresStopped = log.FindIndex(l => l.StartsWith("postgres", StringComparison.Ordinal) && l.Contains("fast shutdown", StringComparison.Ordinal));
            Assert.True(gatewayStopped >= 0 && postgresStopped > gatewayStopped, "projects stop before the servers they use");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
