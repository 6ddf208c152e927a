using System.Diagnostics;

namespace Stox.Hosting.Orchestration;

/// <summary>
/// One child process of the AppHost: its output goes to the resource log; stopping it signals it, waits,
/// then kills it and everything it spawned, so nothing is left behind.
/// </summary>
internal sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ResourceLogService _logs;
    private readonly string _logName;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<int> _knownDescendants = [];
    private volatile bool _stopping;

    private ManagedProcess(Process process, ResourceLogService logs, string logName)
    {
        _process = process;
        _logs = logs;
        _logName = logName;
    }

    public int Pid { get; private set; }

    /// <summary>Completes with the exit code when the process exits, for whatever reason.</summary>
    public Task<int> Exited => _exited.Task;

    public bool IsStopping => _stopping;

    public static ManagedProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory,
        ResourceLogService logs,
        string logName)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, logs, logName);
        process.OutputDataReceived += (_, e) => managed.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => managed.OnLine(e.Data, isError: true);
        process.Exited += (_, _) => managed.OnExited();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new DistributedApplicationException($"Could not start '{fileName}' for resource '{logName}': {ex.Message}", ex);
        }

        managed.Pid = process.Id;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Remembers the current descendants, so they can be reaped even after the main process has exited.</summary>
    public void TrackDescendants()
    {
        if (!_exited.Task.IsCompleted)
        {
            _knownDescendants.UnionWith(ProcessTree.GetDescendants(Pid));
        }
    }

    public IReadOnlyCollection<int> AllProcessIds()
    {
        TrackDescendants();
        return [Pid, .. _knownDescendants];
    }

    /// <summary>Asks the process to stop with <paramref name="signal"/>; kills the whole tree after <paramref name="grace"/>.</summary>
    public async Task StopAsync(int signal, TimeSpan grace)
    {
        _stopping = true;
        TrackDescendants();
        if (!_exited.Task.IsCompleted)
        {
            NativeMethods.SendSignal(Pid, signal);
            await Task.WhenAny(_exited.Task, Task.Delay(grace));
        }

        if (!_exited.Task.IsCompleted)
        {
            _logs.Write(_logName, $"Did not stop within {grace.TotalSeconds:0} s; killing it.", isError: true);
            TrackDescendants();
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited in between.
            }

            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        // Children that outlived their parent (daemonised helpers) are stopped too.
        foreach (var pid in _knownDescendants.Where(ProcessTree.IsAlive))
        {
            NativeMethods.SendSignal(pid, NativeMethods.SIGKILL);
        }

        _knownDescendants = [];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_exited.Task.IsCompleted || _knownDescendants.Count > 0)
        {
            await StopAsync(NativeMethods.SIGTERM, TimeSpan.FromSeconds(5));
        }

        _process.Dispose();
    }

    private void OnLine(string? line, bool isError)
    {
        if (line is not null)
        {
            _logs.Write(_logName, line, isError);
        }
    }

    private void OnExited()
    {
        // Exited can fire before the output is drained; WaitForExit() waits for the readers to finish.
        _process.WaitForExit();
        _exited.TrySetResult(_process.ExitCode);
    }
}
