namespace Stox.Hosting.Orchestration;

/// <summary>What every runner needs in run mode.</summary>
internal sealed class RunContext(DistributedApplicationOptions options, ResourceLogService logs, ResourceNotificationService notifications, string stateDirectory)
{
    public DistributedApplicationOptions Options { get; } = options;
    public ResourceLogService Logs { get; } = logs;
    public ResourceNotificationService Notifications { get; } = notifications;
    public string StateDirectory { get; } = stateDirectory;
    public ResourceEnvironments Environments { get; } = new();

    public string ResourceDirectory(string resourceName)
    {
        var path = Path.Combine(StateDirectory, resourceName);
        Directory.CreateDirectory(path);
        return path;
    }
}
