namespace Stox.Hosting.Orchestration;

/// <summary>Finds the local binaries a resource runs, and says which Debian package provides a missing one.</summary>
internal static class ExecutableLocator
{
    public static string Find(string resourceName, string? configuredPath, string fileName, string debianPackage, params string[] extraDirectories)
    {
        if (configuredPath is not null)
        {
            return File.Exists(configuredPath)
                ? configuredPath
                : throw new DistributedApplicationException(
                    $"Resource '{resourceName}': the configured executable '{configuredPath}' does not exist. " +
                    $"It is provided by the Debian package '{debianPackage}' (sudo apt-get install {debianPackage}).");
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var candidates = extraDirectories
            .Concat(path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Select(dir => Path.Combine(dir, fileName));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new DistributedApplicationException(
                $"Resource '{resourceName}' needs '{fileName}', which was not found in {string.Join(", ", extraDirectories.Append("PATH"))}. " +
                $"Install the Debian package '{debianPackage}' (sudo apt-get install {debianPackage}), or run ./build.sh install.");
    }

    /// <summary>Directories matching a pattern such as /usr/lib/postgresql/*/bin, newest version first.</summary>
    public static string[] VersionedDirectories(string parent, string child)
    {
        if (!Directory.Exists(parent))
        {
            return [];
        }

        return Directory.GetDirectories(parent)
            .OrderByDescending(d => Version.TryParse(Path.GetFileName(d).Split('-')[^1], out var v) ? v : new Version(0, 0))
            .ThenByDescending(d => d, StringComparer.Ordinal)
            .Select(d => Path.Combine(d, child))
            .ToArray();
    }
}
