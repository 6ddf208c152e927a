using System.Collections.Concurrent;
using Stox.Hosting.Dashboard;

namespace Stox.Hosting.Orchestration;

/// <summary>
/// The environment each process of a resource was last started with, secrets masked as they are recorded:
/// what the dashboard shows. Keyed by resource, then by process (a replica's or a server process's log name).
/// </summary>
public sealed class ResourceEnvironments
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>> _byResource =
        new(StringComparer.Ordinal);

    public void Record(string resource, string process, IEnumerable<KeyValuePair<string, string?>> environment)
    {
        var masked = environment
            .Select(e => new KeyValuePair<string, string>(e.Key, SecretMasker.MaskValue(e.Key, e.Value ?? string.Empty)))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
        _byResource.GetOrAdd(resource, _ => new(StringComparer.Ordinal))[process] = masked;
    }

    /// <summary>Process name to its masked variables, sorted by process name.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<KeyValuePair<string, string>>>> Get(string resource) =>
        _byResource.TryGetValue(resource, out var processes)
            ? processes.OrderBy(p => p.Key, StringComparer.Ordinal).ToList()
            : [];
}
