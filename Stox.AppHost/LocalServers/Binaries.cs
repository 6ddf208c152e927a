namespace Stox.AppHost.LocalServers;

/// <summary>Finds a server's binary where Debian's package puts it, or says which package to install.</summary>
internal static class Binaries
{
    public static string Find(string resourceName, string name, string package, params string[] directories)
    {
        foreach (var directory in directories.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')))
        {
            var candidate = Path.Combine(directory, name);
            if (directory.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DistributedApplicationException(
            $"Resource '{resourceName}' needs '{name}', which is not installed. Install the Debian package '{package}' (./build.sh install does).");
    }

    /// <summary>Versioned folders such as /usr/lib/postgresql/15/bin, newest first.</summary>
    public static string[] Versioned(string root, string child) =>
        Directory.Exists(root)
            ? [.. Directory.EnumerateDirectories(root)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, child))]
            : [];

    public static bool IsRoot => Environment.UserName == "root";
}
