using System.Security.Cryptography;

namespace Stox.ServiceDefaults.Authentication;

/// <summary>Finds the public key a token names by its <c>kid</c>.</summary>
public interface ISigningKeyResolver
{
    /// <summary>The key already known for <paramref name="kid"/>, without any I/O (the fast path), or null.</summary>
    RSA? TryGetCached(string kid);

    /// <summary>The key for <paramref name="kid"/>, refreshing the key set when it is unknown (rate limited), or null.</summary>
    ValueTask<RSA?> ResolveAsync(string kid, CancellationToken cancellationToken);
}
