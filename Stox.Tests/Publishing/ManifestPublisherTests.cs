using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Stox.Hosting.Publishing;
using static Stox.Tests.Publishing.PublishingTestSupport;

namespace Stox.Tests.Publishing;

/// <summary>The Aspire manifest azd deploys from: valid, as Aspire writes it, and self-consistent.</summary>
public sealed partial class ManifestPublisherTests
{
    private static readonly string ExpectedManifestPath = Path.Combine(TestDirectory, "expected-aspire-manifest.json");

    [Fact]
    public async Task The_manifest_equals_the_checked_in_expected_file()
    {
        // The expected file is the manifest published into the AppHost's folder (project paths ../Stox.X/Stox.X.csproj).
        var manifest = await ManifestTextAsync(AppHostDirectory);

        Assert.Equal(Normalize(await File.ReadAllTextAsync(ExpectedManifestPath)), Normalize(manifest));
    }

    [Fact]
    public async Task The_manifest_is_valid_against_the_aspire_8_schema()
    {
        var errors = Validate(await ManifestTextAsync(AppHostDirectory));

        Assert.Empty(errors);
    }

    [Fact]
    public void The_schema_validator_rejects_what_azd_would_reject()
    {
        // A check that the validation itself bites: a project without a path, and a binding with a bad protocol.
        var errors = Validate("""
            { "resources": {
                "p": { "type": "project.v0" },
                "c": { "type": "container.v0", "image": "x", "bindings": { "tcp": { "scheme": "tcp", "protocol": "sctp", "transport": "tcp" } } }
            } }
            """);

        Assert.NotEmpty(errors);
    }

    [Fact]
    public void The_vendored_schema_is_the_shared_one()
    {
        var shared = Path.Combine(RepositoryRoot, "..", "shared", "schemas", "aspire-8.0.json");
        if (File.Exists(shared))
        {
            Assert.Equal(File.ReadAllText(shared), File.ReadAllText(Path.Combine(TestDirectory, "aspire-8.0.json")));
        }
    }

    [Fact]
    public async Task The_manifest_has_the_types_azd_deploys_and_no_executables()
    {
        using var manifest = JsonDocument.Parse(await ManifestTextAsync(AppHostDirectory));
        var types = manifest.RootElement.GetProperty("resources").EnumerateObject()
            .ToDictionary(r => r.Name, r => r.Value.GetProperty("type").GetString());

        Assert.DoesNotContain("executable.v0", types.Values);
        Assert.All(["postgres", "cache", "messaging", "storage"], name => Assert.Equal("container.v0", types[name]));
        Assert.All(["authdb", "jobsdb"], name => Assert.Equal("value.v0", types[name]));
        Assert.All(["gateway", "auth", "jobs", "processing", "frontend"], name => Assert.Equal("project.v0", types[name]));
        Assert.All(["postgres-password", "cache-password", "messaging-password", "storage-access-key", "storage-secret-key"], name => Assert.Equal("parameter.v0", types[name]));
    }

    [Fact]
    public async Task Connection_strings_are_the_resources_own_expressions()
    {
        var builder = await AppModelAsync();
        using var manifest = JsonDocument.Parse(await ManifestTextAsync(AppHostDirectory));
        var resources = manifest.RootElement.GetProperty("resources");

        foreach (var resource in builder.Resources.OfType<Stox.Hosting.IResourceWithConnectionString>())
        {
            Assert.Equal(resource.ConnectionStringExpression.ValueExpression, resources.GetProperty(resource.Name).GetProperty("connectionString").GetString());
        }

        Assert.Equal("{postgres.connectionString};Database=authdb", resources.GetProperty("authdb").GetProperty("connectionString").GetString());
        Assert.Equal(
            "Endpoint={storage.bindings.http.url};AccessKey={storage-access-key.value};SecretKey={storage-secret-key.value};Region=us-east-1;Bucket=images",
            resources.GetProperty("storage").GetProperty("connectionString").GetString());
    }

    [Fact]
    public async Task Every_expression_refers_to_a_declared_resource_binding_or_parameter()
    {
        using var manifest = JsonDocument.Parse(await ManifestTextAsync(AppHostDirectory));
        var resources = manifest.RootElement.GetProperty("resources");
        var strings = new List<string>();
        Collect(resources, strings);

        var references = strings.SelectMany(s => ReferencePattern().Matches(s)).ToList();
        Assert.NotEmpty(references);
        foreach (var reference in references)
        {
            var name = reference.Groups["resource"].Value;
            Assert.True(resources.TryGetProperty(name, out var target), $"{reference.Value}: no resource '{name}'");
            var type = target.GetProperty("type").GetString();
            switch (reference.Groups["rest"].Value.Split('.'))
            {
                case ["bindings", var binding, _]:
                    Assert.True(target.TryGetProperty("bindings", out var bindings) && bindings.TryGetProperty(binding, out _), $"{reference.Value}: '{name}' has no binding '{binding}'");
                    break;
                case ["connectionString"]:
                    Assert.True(target.TryGetProperty("connectionString", out _), $"{reference.Value}: '{name}' has no connection string");
                    break;
                case ["value"] or ["inputs", "value"]:
                    Assert.Equal("parameter.v0", type);
                    break;
                default:
                    Assert.Fail($"Unexpected expression {reference.Value}");
                    break;
            }
        }
    }

    [Fact]
    public async Task Projects_get_Aspire_environment_and_the_gateway_alone_is_external()
    {
        using var manifest = JsonDocument.Parse(await ManifestTextAsync(AppHostDirectory));
        var resources = manifest.RootElement.GetProperty("resources");
        var jobs = resources.GetProperty("jobs").GetProperty("env");

        Assert.Equal("{jobsdb.connectionString}", jobs.GetProperty("ConnectionStrings__jobsdb").GetString());
        Assert.Equal("{auth.bindings.http.url}", jobs.GetProperty("services__auth__http__0").GetString());
        Assert.Equal("{jobs.bindings.http.targetPort}", jobs.GetProperty("HTTP_PORTS").GetString());
        Assert.Equal("true", jobs.GetProperty("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES").GetString());

        foreach (var project in new[] { "gateway", "auth", "jobs", "processing", "frontend" })
        {
            var bindings = resources.GetProperty(project).GetProperty("bindings");
            var external = bindings.EnumerateObject().Any(b => b.Value.TryGetProperty("external", out var e) && e.GetBoolean());
            Assert.Equal(project == "gateway", external);
        }
    }

    [Fact]
    public async Task Passwords_are_generated_secrets_never_values()
    {
        var text = await ManifestTextAsync(AppHostDirectory);
        using var manifest = JsonDocument.Parse(text);
        var builder = await AppModelAsync();

        foreach (var parameter in builder.Resources.OfType<Stox.Hosting.ParameterResource>())
        {
            var input = manifest.RootElement.GetProperty("resources").GetProperty(parameter.Name).GetProperty("inputs").GetProperty("value");
            Assert.True(input.GetProperty("secret").GetBoolean());
            Assert.Equal(22, input.GetProperty("default").GetProperty("generate").GetProperty("minLength").GetInt32());
            Assert.DoesNotContain(parameter.Value, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_folder_as_output_path_gets_aspire_manifest_json()
    {
        var folder = NewTempDirectory();
        try
        {
            var written = await PublishAsync("manifest", folder);

            Assert.Equal([Path.Combine(folder, "aspire-manifest.json")], written);
            Assert.Empty(Validate(await File.ReadAllTextAsync(written[0])));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Validates against the schema with Ajv (npm, MIT; installed by ./build.sh install), one error per line.</summary>
    internal static IList<string> Validate(string manifest)
    {
        var validator = Path.Combine(TestDirectory, "schema-validator");
        Assert.True(Directory.Exists(Path.Combine(validator, "node_modules", "ajv")), $"Run ./build.sh install (npm ci in {validator}).");
        var document = Path.GetTempFileName();
        try
        {
            File.WriteAllText(document, manifest);
            var start = new System.Diagnostics.ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = validator };
            start.ArgumentList.Add("validate.mjs");
            start.ArgumentList.Add(Path.Combine(TestDirectory, "aspire-8.0.json"));
            start.ArgumentList.Add(document);
            using var process = System.Diagnostics.Process.Start(start)!;
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

    internal static async Task<string> ManifestTextAsync(string manifestDirectory)
    {
        var model = await ModelAsync();
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            ManifestPublisher.Write(model, writer, manifestDirectory);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();

    private static void Collect(JsonElement element, List<string> strings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                strings.Add(element.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, strings);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, strings);
                }

                break;
        }
    }

    [GeneratedRegex(@"\{(?<resource>[a-z][a-z0-9-]*)\.(?<rest>[A-Za-z.]+)\}")]
    private static partial Regex ReferencePattern();
}
