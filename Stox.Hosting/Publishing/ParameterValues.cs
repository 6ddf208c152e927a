namespace Stox.Hosting.Publishing;

/// <summary>
/// The parameter values a self-contained deployment (Compose, Kubernetes) writes beside its files. Values
/// already written by an earlier publish are kept, so data volumes stay readable with the same passwords;
/// the rest are the configured value (<c>Parameters:{name}</c>) or a newly generated one.
/// </summary>
internal static class ParameterValues
{
    public static Dictionary<string, string> Resolve(PublishingModel model, IReadOnlyDictionary<string, string> existing) =>
        model.Parameters.ToDictionary(
            p => p.Name,
            p => existing.TryGetValue(p.Name, out var kept) && kept.Length > 0 ? kept : p.NewValue(),
            StringComparer.Ordinal);

    /// <summary>The name a parameter gets as an environment variable: <c>postgres-password</c> is <c>POSTGRES_PASSWORD</c>.</summary>
    public static string EnvironmentName(string parameter) => parameter.Replace('-', '_').ToUpperInvariant();

    /// <summary>Writes a file readable by its owner only (it holds secrets).</summary>
    public static async Task WriteSecretFileAsync(string path, string content, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, content, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
