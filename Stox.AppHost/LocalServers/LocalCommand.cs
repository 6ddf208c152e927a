using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Stox.AppHost.LocalServers;

/// <summary>Runs a short preparation command (initdb, chown) to its end, its output in the resource's log.</summary>
internal static class LocalCommand
{
    public static async Task RunAsync(string file, IEnumerable<string> arguments, ILogger logger, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new DistributedApplicationException($"Could not start '{file}'.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        foreach (var line in (await output + await error).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            logger.LogInformation("{Line}", line);
        }

        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException($"'{Path.GetFileName(file)} {string.Join(' ', startInfo.ArgumentList.Take(3))}...' exited with code {process.ExitCode}: {await error}");
        }
    }
}
