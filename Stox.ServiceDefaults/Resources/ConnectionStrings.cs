using Microsoft.Extensions.Configuration;

namespace Stox.ServiceDefaults.Resources;

internal static class ConnectionStrings
{
    /// <summary>Reads <c>ConnectionStrings:{name}</c> as Aspire's client integrations do, or says exactly what is missing.</summary>
    public static string Require(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"ConnectionString is missing. It should be provided in 'ConnectionStrings:{name}' (environment variable ConnectionStrings__{name}).");
}
