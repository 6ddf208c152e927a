namespace Stox.AppHost.LocalServers;

internal static class ServerResourceType
{
    /// <summary>
    /// The type the dashboard shows for a local server: DCP keeps a type given in the initial snapshot, and would
    /// otherwise show every one of them as "Executable".
    /// </summary>
    public static IResourceBuilder<T> WithServerType<T>(this IResourceBuilder<T> builder, string type) where T : ExecutableResource =>
        builder.WithInitialState(new CustomResourceSnapshot { ResourceType = type, Properties = [] });
}
