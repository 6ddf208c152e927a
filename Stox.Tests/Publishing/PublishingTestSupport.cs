using System.Diagnostics;
using Stox.Hosting;
using Stox.Hosting.Publishing;
using Stox.Hosting.Testing;

namespace Stox.Tests.Publishing;

/// <summary>The AppHost's own app model in publish mode, and the tools the checks use.</summary>
internal static class PublishingTestSupport
{
    public static string RepositoryRoot { get; } =
        Path.GetDirectoryName(Path.GetDirectoryName(new Projects.Stox_AppHost().ProjectPath)!)!;

    public static string AppHostDirectory => Path.Combine(RepositoryRoot, "Stox.AppHost");

    public static string TestDirectory => Path.Combine(RepositoryRoot, "Stox.Tests", "Publishing");

    public static async Task<IDistributedApplicationTestingBuilder> AppModelAsync() =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();

    /// <summary>Runs a publisher on the AppHost's model into <paramref name="outputPath"/>.</summary>
    public static async Task<IReadOnlyList<string>> PublishAsync(string publisher, string outputPath)
    {
        var builder = await AppModelAsync();
        return await Publishers.PublishAsync(
            builder.Resources,
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish, publisher, outputPath),
            builder.Configuration);
    }

    public static async Task<PublishingModel> ModelAsync() => PublishingModel.Create((await AppModelAsync()).Resources);

    public static string NewTempDirectory() => Directory.CreateTempSubdirectory("stox-publish-test-").FullName;

    public sealed record CommandResult(int ExitCode, string Output, string Error);

    public static async Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(startInfo)!;
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
            throw new TimeoutException($"'{fileName} {string.Join(' ', startInfo.ArgumentList)}' did not finish within {timeout}.");
        }

        return new CommandResult(process.ExitCode, await output, await error);
    }

    /// <summary>The full path of a command on PATH, or null.</summary>
    public static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
}
