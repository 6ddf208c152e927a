namespace Stox.Frontend.Components;

public static class LocalUrl
{
    /// <summary>The return URL if it stays on this site, else the gallery (no open redirects).</summary>
    public static string Safe(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("://", StringComparison.Ordinal)
            ? url
            : "/";
}
