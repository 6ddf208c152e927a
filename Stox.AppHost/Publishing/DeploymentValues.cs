using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Stox.AppHost.Publishing;

/// <summary>
/// The parameter values a deployment writes beside its files. A value an earlier publish wrote is kept, so data
/// volumes stay readable with the same passwords; the rest are configured (<c>Parameters:{name}</c>) or generated.
/// Derived values (URI-encoded passwords) are computed from their source every time.
/// </summary>
internal static class DeploymentValues
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static Dictionary<string, string> Resolve(Deployment deployment, IReadOnlyDictionary<string, string> existing, IConfiguration configuration)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in deployment.Parameters)
        {
            values[parameter.Name] = parameter.DerivedFrom is { } source
                ? parameter.Filter switch
                {
                    null => values[source],
                    "uri" => Uri.EscapeDataString(values[source]),
                    var filter => throw new DistributedApplicationException($"'{parameter.Name}': unknown value filter '{filter}'."),
                }
                : existing.TryGetValue(parameter.Name, out var kept) && kept.Length > 0 ? kept
                // A generated parameter gets its own value per deployment, never run mode's (kept in user secrets).
                : !parameter.Generated && configuration[$"Parameters:{parameter.Name}"] is { Length: > 0 } configured ? Checked(parameter, configured)
                : parameter.Generated ? RandomNumberGenerator.GetString(Alphanumeric, Math.Max(parameter.MinLength, 22))
                : parameter.Default is { } defaultValue ? Checked(parameter, defaultValue)
                : throw new DistributedApplicationException($"Parameter '{parameter.Name}' has no value: set Parameters:{parameter.Name} (e.g. --Parameters:{parameter.Name}=...).");
        }

        return values;
    }

    /// <summary>
    /// Letters, digits, <c>-._~</c> and the URL punctuation <c>:/@%+</c> only: what an .env file and YAML take as
    /// they are (an endpoint like http://host:9000/v1 included). Generated values are alphanumeric.
    /// </summary>
    private static string Checked(DeploymentParameter parameter, string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or ':' or '/' or '@' or '%' or '+')
            ? value
            : throw new DistributedApplicationException($"Parameter '{parameter.Name}' holds characters a deployment file cannot carry unquoted; use letters, digits, -._~ and :/@%+ only.");

    /// <summary>Writes a file readable by its owner only (it holds secrets).</summary>
    public static async Task WriteSecretFileAsync(string path, string content, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, content, cancellationToken);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
