using System.Diagnostics;
using System.Text.Json;
using static Stox.Tests.Publishing.PublishCommand;

namespace Stox.Tests.Publishing;

/// <summary>Publish mode as azd runs it: Aspire's own manifest of the AppHost, checked against the manifest schema.</summary>
public sealed class ManifestTests
{
    private static string SchemaPath =>
        File.Exists(Path.Combine(RepositoryRoot, "..", "shared", "schemas", "aspire-8.0.json"))
            ? Path.Combine(RepositoryRoot, "..", "shared", "schemas", "aspire-8.0.json")
            : Path.Combine(RepositoryRoot, "Stox.Tests", "Publishing", "aspire-8.0.json");

    [Fact]
    public async Task Azds_exact_invocation_writes_a_valid_manifest_of_typed_resources()
    {
        var folder = Directory.CreateTempSubdirectory("stox-manifest-").FullName;
        try
        {
            var output = Path.Combine(folder, "aspire-manifest.json");
            var (exitCode, log) = await RunAsync("dotnet", ["run", "--project", Path.Combine(AppHostDirectory, "Stox.AppHost.csproj"), "--", "--publisher", "manifest", "--output-path", output], RepositoryRoot, TimeSpan.FromMinutes(5));

            Assert.True(exitCode == 0, log);
            var text = await File.ReadAllTextAsync(output);
            Assert.Empty(Validate(text));
            using var manifest = JsonDocument.Parse(text);
            var resources = manifest.RootElement.GetProperty("resources").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
            string Type(string name) => resources[name].GetProperty("type").GetString()!;

            Assert.DoesNotContain(resources.Values, r => r.GetProperty("type").GetString() == "executable.v0");
            Assert.All(["postgres", "cache", "messaging", "storage"], name => Assert.StartsWith("container.", Type(name), StringComparison.Ordinal));
            Assert.All(["authdb", "jobsdb"], name => Assert.Equal("value.v0", Type(name)));
            Assert.Equal("{postgres.connectionString};Database=jobsdb", resources["jobsdb"].GetProperty("connectionString").GetString());
            Assert.All(["postgres-password", "cache-password", "messaging-password", "storage-access-key", "storage-secret-key"], name =>
            {
                Assert.Equal("parameter.v0", Type(name));
                Assert.True(resources[name].GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
            });
            Assert.Equal(
                "Endpoint={storage.bindings.http.url};AccessKey={storage-access-key.value};SecretKey={storage-secret-key.value};Region=us-east-1;Bucket=images",
                resources["storage"].GetProperty("connectionString").GetString());
            foreach (var project in new[] { "gateway", "auth", "jobs", "processing", "frontend" })
            {
                Assert.Equal("project.v0", Type(project));
                var path = Path.GetFullPath(Path.Combine(folder, resources[project].GetProperty("path").GetString()!));
                Assert.True(File.Exists(path), $"{project}: {path} does not exist");
                Assert.True(resources[project].GetProperty("bindings").TryGetProperty("http", out _), $"{project} has no http binding");
            }

            Assert.Equal("{jobsdb.connectionString}", resources["jobs"].GetProperty("env").GetProperty("ConnectionStrings__jobsdb").GetString());

            // Generation and purchases are optional: their parameters default to empty (off), and the key and the webhook secret are secrets.
            foreach (var (name, secret) in new[] { ("generation-provider", false), ("generation-endpoint", false), ("generation-api-key", true), ("stripe-webhook-secret", true) })
            {
                var input = resources[name].GetProperty("inputs").GetProperty("value");
                Assert.Equal(secret, input.TryGetProperty("secret", out var s) && s.GetBoolean());
                Assert.Equal(string.Empty, input.GetProperty("default").GetProperty("value").GetString());
            }

            var jobsEnv = resources["jobs"].GetProperty("env");
            Assert.Equal("{generation-provider.value}", jobsEnv.GetProperty("Generation__Provider").GetString());
            Assert.Equal("{generation-endpoint.value}", jobsEnv.GetProperty("Generation__Endpoint").GetString());
            Assert.Equal("{generation-api-key.value}", jobsEnv.GetProperty("Generation__ApiKey").GetString());
            Assert.Equal("{stripe-webhook-secret.value}", jobsEnv.GetProperty("Credits__Stripe__WebhookSecret").GetString());
            Assert.True(resources["gateway"].GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
            Assert.False(resources["jobs"].GetProperty("bindings").GetProperty("http").TryGetProperty("external", out _));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_schema_validator_rejects_what_azd_would_reject()
    {
        // The validation itself bites: a project without a path, and a binding with a bad protocol.
        var errors = Validate("""
            { "resources": {
                "p": { "type": "project.v0" },
                "c": { "type": "container.v0", "image": "x", "bindings": { "tcp": { "scheme": "tcp", "protocol": "sctp", "transport": "tcp" } } }
            } }
            """);

        Assert.NotEmpty(errors);
    }

    /// <summary>Validates against the schema with Ajv (npm; installed by ./build.sh install), one error per line.</summary>
    private static IList<string> Validate(string manifest)
    {
        var validator = Path.Combine(RepositoryRoot, "Stox.Tests", "Publishing", "schema-validator");
        Assert.True(Directory.Exists(Path.Combine(validator, "node_modules", "ajv")), $"Run ./build.sh install (npm ci in {validator}).");
        var document = Path.GetTempFileName();
        try
        {
            File.WriteAllText(document, manifest);
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = validator };
            start.ArgumentList.Add("validate.mjs");
            start.ArgumentList.Add(SchemaPath);
            start.ArgumentList.Add(document);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode is 0 or 1, $"the validator failed: {error}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            File.Delete(document);
        }
    }
}
