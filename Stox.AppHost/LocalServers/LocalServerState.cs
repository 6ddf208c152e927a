namespace Stox.AppHost.LocalServers;

/// <summary>
/// The folder under which every local server keeps its data: a fresh temporary folder, deleted when the
/// AppHost stops, unless <c>AppHost:Persist=true</c> (kept in /var/tmp/stox-$USER/apphost) or
/// <c>AppHost:StateDirectory</c> names one.
/// </summary>
internal sealed class LocalServerState
{
    private const string TemporaryPrefix = "stox-apphost-";

    private LocalServerState(string root, bool keep)
    {
        Root = root;
        Keep = keep;
    }

    public string Root { get; }

    public bool Keep { get; }

    public string For(string resourceName) => Directory.CreateDirectory(Path.Combine(Root, resourceName)).FullName;

    public static LocalServerState Create(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["AppHost:StateDirectory"];
        var persist = string.Equals(builder.Configuration["AppHost:Persist"], "true", StringComparison.OrdinalIgnoreCase);
        LocalServerState state;
        if (!string.IsNullOrEmpty(configured) || persist)
        {
            var root = string.IsNullOrEmpty(configured)
                ? Path.Combine("/var/tmp", $"stox-{Environment.UserName}", "apphost")
                : Path.GetFullPath(configured);
            state = new LocalServerState(Directory.CreateDirectory(root).FullName, keep: true);
        }
        else
        {
            RemoveAbandonedFolders();
            state = new LocalServerState(Directory.CreateTempSubdirectory($"{TemporaryPrefix}{Environment.ProcessId}-").FullName, keep: false);
        }

        // PostgreSQL runs as the 'postgres' user when the AppHost runs as root: it must reach its folder.
        File.SetUnixFileMode(state.Root, (UnixFileMode)0b111_101_101);
        return state;
    }

    public void DeleteIfTemporary()
    {
        if (Keep)
        {
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A server still writing; the next start sweeps it (RemoveAbandonedFolders).
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Temporary folders of AppHosts that died without cleaning up (their process is gone).</summary>
    private static void RemoveAbandonedFolders()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), TemporaryPrefix + "*"))
        {
            var pid = Path.GetFileName(folder)[TemporaryPrefix.Length..].Split('-')[0];
            if (int.TryParse(pid, out var id) && !Directory.Exists($"/proc/{id}"))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
