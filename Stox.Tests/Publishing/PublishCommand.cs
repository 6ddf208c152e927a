using System.Diagnostics;

namespace Stox.Tests.Publishing;

/// <summary>The AppHost in publish mode, run as its users run it, and the command-line tools the checks use.</summary>
internal static class PublishCommand
{
    public static string AppHostDirectory =>
        Projects.Stox_AppHost.ProjectPath.EndsWith(".csproj", StringComparison.Ordinal)
            ? Path.GetDirectoryName(Projects.Stox_AppHost.ProjectPath)!
            : Projects.Stox_AppHost.ProjectPath;

    public static string RepositoryRoot => Path.GetDirectoryName(AppHostDirectory)!;

    /// <summary>Runs the built AppHost in publish mode (<c>--publisher compose</c>, <c>--operation publish --step ...</c>) into <paramref name="folder"/>.</summary>
    public static async Task PublishAsync(IEnumerable<string> arguments, string folder)
    {
        var appHost = Path.Combine(AppHostDirectory, "bin", "Debug", "net10.0", "Stox.AppHost.dll");
        var (exitCode, output) = await RunAsync("dotnet", [appHost, .. arguments, "--output-path", folder], RepositoryRoot, TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, output);
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', start.ArgumentList)}' did not finish within {timeout}.");
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>The full path of a command on PATH, or null.</summary>
    public static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
}

/// <summary>One publish into a folder of its own, shared by a test class and deleted after it.</summary>
public abstract class PublishedFolder(params string[] arguments) : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("stox-publish-").FullName;

    /// <summary>Publishes again into the same folder, as a user who publishes after a change.</summary>
    public Task PublishAgainAsync() => PublishCommand.PublishAsync(arguments, Folder);

    public Task InitializeAsync() => PublishAgainAsync();

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}
