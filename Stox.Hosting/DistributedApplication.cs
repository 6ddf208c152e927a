using System.Runtime.InteropServices;
using System.Text.Json;
using Stox.Hosting.Dashboard;
using Stox.Hosting.Orchestration;

namespace Stox.Hosting;

/// <summary>
/// The running app model. <see cref="Run"/> is the AppHost's run mode: start everything, print where it is,
/// and stop everything cleanly on Ctrl+C or SIGTERM, or when a resource dies.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly DistributedApplicationBuilder _builder;
    private readonly Orchestrator _orchestrator;
    private readonly string _stateDirectory;
    private readonly bool _ownsStateDirectory;
    private readonly TaskCompletionSource<string> _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopped;
    private DashboardServer? _dashboard;

    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        _builder = builder;
        var options = builder.Options;
        (_stateDirectory, _ownsStateDirectory) = CreateStateDirectory(options);
        ResourceLogs = new ResourceLogService(options.LogSink ?? ConsoleReporter.Write);
        ResourceNotifications = new ResourceNotificationService();
        var context = new RunContext(options, ResourceLogs, ResourceNotifications, _stateDirectory);
        ResourceEnvironments = context.Environments;
        DashboardConfiguration.Apply(options, builder.Configuration);
        _orchestrator = new Orchestrator(builder.Resources, context);
        _orchestrator.ResourceFailed += (name, exitCode) =>
            _failure.TrySetResult($"Resource '{name}' exited unexpectedly with code {exitCode}.{Environment.NewLine}Last log lines of '{name}':{Environment.NewLine}{ResourceLogs.Tail(name)}");
    }

    public static DistributedApplicationBuilder CreateBuilder(string[] args)
    {
        var options = new DistributedApplicationOptions { Args = args };
        DistributedApplicationBuilder.OptionsInterceptor.Value?.Invoke(options);
        return new DistributedApplicationBuilder(options);
    }

    public IReadOnlyList<IResource> Resources => _builder.Resources;

    public DistributedApplicationOptions Options => _builder.Options;

    public DistributedApplicationExecutionContext ExecutionContext => _builder.ExecutionContext;

    public ResourceNotificationService ResourceNotifications { get; }

    public ResourceLogService ResourceLogs { get; }

    /// <summary>The environment each process was started with, secrets masked.</summary>
    public ResourceEnvironments ResourceEnvironments { get; }

    /// <summary>The developer dashboard, once started (run mode with <see cref="DistributedApplicationOptions.EnableDashboard"/>).</summary>
    public DashboardServer? Dashboard => _dashboard;

    public string StateDirectory => _stateDirectory;

    /// <summary>Every process the AppHost started and their descendants.</summary>
    public IReadOnlyCollection<int> ProcessIds => _orchestrator.ProcessIds;

    /// <summary>Completes with a description when a running resource dies.</summary>
    public Task<string> ResourceFailure => _failure.Task;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (ExecutionContext.IsPublishMode)
        {
            // Publish mode writes deployment artefacts and starts nothing.
            await Publishing.Publishers.PublishAsync(Resources, ExecutionContext, _builder.Configuration, cancellationToken);
            return;
        }

        RestoreGeneratedParameters();
        if (Options.EnableDashboard && _dashboard is null)
        {
            // Before any project starts: their OTEL_EXPORTER_OTLP_ENDPOINT is the dashboard's receiver.
            _dashboard = await DashboardConfiguration.StartAsync(this, cancellationToken);
            ConsoleReporter.Info($"Dashboard: {_dashboard.LoginUrl}");
        }

        await _orchestrator.StartAllAsync(cancellationToken);
        SaveGeneratedParameters();
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _orchestrator.StopAllAsync();
            if (_dashboard is not null)
            {
                await _dashboard.DisposeAsync();
            }
        }
    }

    public Task StopResourceAsync(string name) => _orchestrator.StopResourceAsync(name);

    /// <summary>
    /// Stops one replica of a project gracefully (SIGTERM, SIGKILL after <see cref="DistributedApplicationOptions.ResourceStopTimeout"/>);
    /// the other replicas keep running. <see cref="StartResourceAsync"/> starts every replica again.
    /// </summary>
    public Task StopResourceAsync(string name, int replicaIndex) => _orchestrator.StopReplicaAsync(name, replicaIndex, kill: false);

    /// <summary>
    /// Kills one replica of a project and everything it spawned with SIGKILL, as a crash would: no shutdown code runs.
    /// It is not reported as a failure and not restarted; <see cref="StartResourceAsync"/> starts every replica again.
    /// </summary>
    public Task KillResourceAsync(string name, int replicaIndex = 0) => _orchestrator.StopReplicaAsync(name, replicaIndex, kill: true);

    public Task StartResourceAsync(string name, CancellationToken cancellationToken = default) =>
        _orchestrator.StartResourceAsync(name, cancellationToken);

    public async Task RestartResourceAsync(string name, CancellationToken cancellationToken = default)
    {
        await StopResourceAsync(name);
        await StartResourceAsync(name, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsStateDirectory && !Options.Persist)
        {
            try
            {
                Directory.Delete(_stateDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A server may still be flushing; the folder is in the temp directory.
            }
        }
    }

    /// <summary>Runs until Ctrl+C, SIGTERM or a resource failure; sets the process exit code.</summary>
    public void Run() => Environment.ExitCode = RunAsync().GetAwaiter().GetResult();

    public async Task<int> RunAsync()
    {
        if (ExecutionContext.IsPublishMode)
        {
            try
            {
                return await Publishing.Publishers.RunAsync(Resources, ExecutionContext, _builder.Configuration);
            }
            finally
            {
                await DisposeAsync();
            }
        }

        using var shutdown = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            ConsoleReporter.Info($"{context.Signal} received: stopping.");
            shutdown.Cancel();
        }

        var exitCode = 0;
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            await StartAsync(shutdown.Token);
            ConsoleReporter.PrintResources(ResourceNotifications.Snapshots, started.Elapsed, Options.Persist ? _stateDirectory : null);
            if (_dashboard is not null)
            {
                ConsoleReporter.Info($"Dashboard: {_dashboard.LoginUrl}");
            }

            var stopped = Task.Delay(Timeout.Infinite, shutdown.Token);
            if (await Task.WhenAny(stopped, _failure.Task) == _failure.Task)
            {
                ConsoleReporter.Error(await _failure.Task);
                exitCode = Options.StopOnResourceFailure ? 1 : 0;
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Ctrl+C during start-up.
        }
        catch (DistributedApplicationException ex)
        {
            ConsoleReporter.Error(ex.Message);
            exitCode = 1;
        }
        finally
        {
            ConsoleReporter.Info("Stopping resources...");
            await DisposeAsync();
            ConsoleReporter.Info("Stopped.");
        }

        return exitCode;
    }

    private static (string Path, bool Owned) CreateStateDirectory(DistributedApplicationOptions options)
    {
        string path;
        if (options.StateDirectory is not null)
        {
            path = Path.GetFullPath(options.StateDirectory);
            Directory.CreateDirectory(path);
            return (path, false);
        }

        if (options.Persist)
        {
            // /var/tmp survives reboots and, unlike a home folder, the 'postgres' user can reach it when we run as root.
            path = Path.Combine("/var/tmp", $"stox-{Environment.UserName}", "apphost");
            Directory.CreateDirectory(path);
        }
        else
        {
            path = Directory.CreateTempSubdirectory("stox-apphost-").FullName;
        }

        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return (path, true);
    }

    private string ParametersFile => Path.Combine(_stateDirectory, "parameters.json");

    private void RestoreGeneratedParameters()
    {
        if (!Options.Persist || !File.Exists(ParametersFile))
        {
            return;
        }

        var values = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(ParametersFile)) ?? [];
        foreach (var parameter in Resources.OfType<ParameterResource>())
        {
            if (values.TryGetValue(parameter.Name, out var value))
            {
                parameter.RestoreGeneratedValue(value);
            }
        }
    }

    private void SaveGeneratedParameters()
    {
        if (!Options.Persist)
        {
            return;
        }

        var values = Resources.OfType<ParameterResource>().Where(p => p.IsGenerated).ToDictionary(p => p.Name, p => p.Value);
        File.WriteAllText(ParametersFile, JsonSerializer.Serialize(values));
        File.SetUnixFileMode(ParametersFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
