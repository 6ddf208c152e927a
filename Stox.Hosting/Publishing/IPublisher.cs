namespace Stox.Hosting.Publishing;

/// <summary>Writes deployment artefacts for the app model (<c>--publisher NAME --output-path PATH</c>).</summary>
public interface IPublisher
{
    /// <summary>The value of <c>--publisher</c>.</summary>
    string Name { get; }

    /// <summary>One line for the list of publishers in error messages.</summary>
    string Description { get; }

    /// <summary>Writes the artefacts and returns the files written.</summary>
    Task<IReadOnlyList<string>> PublishAsync(PublishingModel model, PublishingContext context, CancellationToken cancellationToken);
}

/// <summary>Where a publisher writes, and the AppHost's configuration for anything it may read.</summary>
public sealed class PublishingContext(string outputPath, Microsoft.Extensions.Configuration.IConfiguration configuration)
{
    /// <summary>The absolute <c>--output-path</c>: a file for the manifest, a folder for the others.</summary>
    public string OutputPath { get; } = Path.GetFullPath(outputPath);

    public Microsoft.Extensions.Configuration.IConfiguration Configuration { get; } = configuration;

    /// <summary>The registry the services' images are pushed to (<c>Publishing:ImageRegistry</c>); none (a local image) when empty.</summary>
    public string? ImageRegistry => string.IsNullOrWhiteSpace(Configuration["Publishing:ImageRegistry"]) ? null : Configuration["Publishing:ImageRegistry"]!.TrimEnd('/');

    /// <summary>The tag of the services' images (<c>Publishing:ImageTag</c>, default <c>latest</c>).</summary>
    public string ImageTag => Configuration["Publishing:ImageTag"] ?? "latest";

    /// <summary>The image a service runs from, as <c>dotnet publish -t:PublishContainer</c> names it.</summary>
    public string ImageOf(ProjectSpec project) =>
        $"{(ImageRegistry is null ? string.Empty : ImageRegistry + "/")}{project.ImageRepository}:{ImageTag}";
}

/// <summary>A publish-mode command line that cannot be carried out; the AppHost exits with code 2.</summary>
public sealed class PublishingUsageException(string message) : Exception(message);
