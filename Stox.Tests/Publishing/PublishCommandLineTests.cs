using System.Text.Json;
using Stox.Hosting.Publishing;
using static Stox.Tests.Publishing.PublishingTestSupport;

namespace Stox.Tests.Publishing;

/// <summary>Publish mode as azd and people run it: the AppHost's command line, and the MSBuild properties azd and the SDK read.</summary>
public sealed class PublishCommandLineTests
{
    private static string AppHostAssembly => new Projects.Stox_AppHost().AssemblyPath;

    private static string AppHostProject => new Projects.Stox_AppHost().ProjectPath;

    [Fact]
    public async Task Azds_exact_invocation_writes_a_valid_manifest()
    {
        var folder = NewTempDirectory();
        try
        {
            var output = Path.Combine(folder, "apphost-manifest.json");

            // What azd runs, from the AppHost's folder (dotnet run builds the AppHost first if it needs to).
            var result = await RunAsync("dotnet", ["run", "--project", AppHostProject, "--publisher", "manifest", "--output-path", output], AppHostDirectory, TimeSpan.FromMinutes(5));

            Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}{Environment.NewLine}{result.Output}{result.Error}");
            var manifest = await File.ReadAllTextAsync(output);
            Assert.Empty(ManifestPublisherTests.Validate(manifest));

            // Project paths are relative to the manifest file and lead to the projects.
            using var document = JsonDocument.Parse(manifest);
            foreach (var resource in document.RootElement.GetProperty("resources").EnumerateObject())
            {
                if (resource.Value.GetProperty("type").GetString() == "project.v0")
                {
                    var path = Path.GetFullPath(Path.Combine(folder, resource.Value.GetProperty("path").GetString()!));
                    Assert.True(File.Exists(path), $"{resource.Name}: {path} does not exist");
                }
            }

            // Apart from those paths it is the expected manifest.
            Assert.Equal(
                await ManifestPublisherTests.ManifestTextAsync(folder),
                manifest.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Publish_mode_finishes_fast_and_starts_nothing()
    {
        var folder = NewTempDirectory();
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var result = await RunAsync("dotnet", [AppHostAssembly, "--publisher", "manifest", "--output-path", Path.Combine(folder, "m.json")], folder, TimeSpan.FromMinutes(1));

            Assert.Equal(0, result.ExitCode);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
            Assert.DoesNotContain("Starting", result.Output, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Published with 'manifest'", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_in_publish_mode_publishes_and_starts_no_process()
    {
        var folder = NewTempDirectory();
        try
        {
            var output = Path.Combine(folder, "out.json");
            var builder = await Stox.Hosting.Testing.DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(["--publisher", "manifest", "--output-path", output]);
            await using var app = await builder.BuildAsync();

            await app.StartAsync();

            Assert.True(app.ExecutionContext.IsPublishMode);
            Assert.Empty(app.ProcessIds);
            Assert.Empty(ManifestPublisherTests.Validate(await File.ReadAllTextAsync(output)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_unknown_publisher_exits_2_and_lists_the_valid_ones()
    {
        var result = await RunAsync("dotnet", [AppHostAssembly, "--publisher", "helm", "--output-path", "x"], Path.GetTempPath(), TimeSpan.FromMinutes(1));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unknown publisher 'helm'", result.Error, StringComparison.Ordinal);
        Assert.Contains("manifest, compose, kubernetes", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_output_path_exits_2()
    {
        var result = await RunAsync("dotnet", [AppHostAssembly, "--publisher", "compose"], Path.GetTempPath(), TimeSpan.FromMinutes(1));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("needs --output-path", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_AppHost_is_an_Aspire_host_for_azd()
    {
        var result = await RunAsync("dotnet", ["msbuild", AppHostProject, "--getProperty:IsAspireHost"], RepositoryRoot, TimeSpan.FromMinutes(2));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("true", result.Output.Trim());
    }

    [Fact]
    public async Task Each_service_builds_the_image_the_deployments_run()
    {
        // dotnet publish -t:PublishContainer needs the base image from mcr.microsoft.com (unreachable here);
        // what can be checked offline is the configuration it would build with.
        var model = await ModelAsync();
        foreach (var project in model.Projects)
        {
            var result = await RunAsync(
                "dotnet",
                ["msbuild", project.ProjectPath, "-t:ComputeContainerConfig", "-getProperty:ContainerRepository", "-getProperty:ContainerBaseImage", "-getProperty:ContainerImageTags"],
                RepositoryRoot,
                TimeSpan.FromMinutes(2));

            Assert.True(result.ExitCode == 0, $"{project.Name}: {result.Output}{result.Error}");
            var properties = JsonDocument.Parse(result.Output).RootElement.GetProperty("Properties");
            Assert.Equal(project.ImageRepository, properties.GetProperty("ContainerRepository").GetString());
            Assert.Equal("latest", properties.GetProperty("ContainerImageTags").GetString());
            Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", properties.GetProperty("ContainerBaseImage").GetString(), StringComparison.Ordinal);
            Assert.Equal($"{project.ImageRepository}:latest", new PublishingContext("x", new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()).ImageOf(project));
        }
    }
}
