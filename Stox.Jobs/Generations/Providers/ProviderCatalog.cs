namespace Stox.Jobs.Generations.Providers;

/// <summary>The configured provider, or none: generation is off and callers answer 503.</summary>
public sealed class ProviderCatalog(IImageProvider? current)
{
    public IImageProvider? Current { get; } = current;

    public bool IsEnabled => Current is not null;
}
