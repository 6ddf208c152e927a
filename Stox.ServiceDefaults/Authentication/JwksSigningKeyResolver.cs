using System.Collections.Frozen;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Stox.ServiceDefaults.Authentication;

/// <summary>
/// Keys from the auth service's JWKS over HTTP (service discovery + resilience): fetched on first use, kept for
/// <see cref="StoxJwtOptions.JwksRefreshInterval"/>, and fetched again at once when a token names an unknown
/// <c>kid</c> (after a key rotation), at most once per <see cref="StoxJwtOptions.JwksMinimumRefetchInterval"/>.
/// </summary>
public sealed partial class JwksSigningKeyResolver(
    IHttpClientFactory httpClientFactory,
    IOptions<StoxJwtOptions> options,
    TimeProvider timeProvider,
    ILogger<JwksSigningKeyResolver> logger) : ISigningKeyResolver, IDisposable
{
    public const string HttpClientName = "stox-jwks";

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _fetchGate = new(1, 1);
    private volatile FrozenDictionary<string, RSA> _keys = FrozenDictionary<string, RSA>.Empty;
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;

    public RSA? TryGetCached(string kid) =>
        timeProvider.GetUtcNow() - _fetchedAt < options.Value.JwksRefreshInterval && _keys.TryGetValue(kid, out var key) ? key : null;

    public async ValueTask<RSA?> ResolveAsync(string kid, CancellationToken cancellationToken)
    {
        if (TryGetCached(kid) is { } cached)
        {
            return cached;
        }

        await _fetchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = timeProvider.GetUtcNow();
            var stale = now - _fetchedAt >= options.Value.JwksRefreshInterval;
            var known = _keys.TryGetValue(kid, out var key);
            if (known && !stale)
            {
                return key;
            }

            if (stale || now - _lastAttempt >= options.Value.JwksMinimumRefetchInterval)
            {
                _lastAttempt = now;
                await FetchAsync(cancellationToken).ConfigureAwait(false);
            }

            return _keys.GetValueOrDefault(kid);
        }
        finally
        {
            _fetchGate.Release();
        }
    }

    private async Task FetchAsync(CancellationToken cancellationToken)
    {
        // Requests wait on this fetch (under the gate): bound it well below the resilience pipeline's 30 s.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FetchTimeout);
        try
        {
            using var client = httpClientFactory.CreateClient(HttpClientName);
            var set = await client.GetFromJsonAsync<JsonWebKeySet>(options.Value.JwksUri, timeout.Token).ConfigureAwait(false);
            var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
            foreach (var jwk in set?.Keys ?? [])
            {
                if (jwk.ToRsa() is { } rsa)
                {
                    keys[jwk.Kid] = rsa;
                }
            }

            // Old RSA objects are left to the GC: a request on another thread may still be verifying with one.
            _keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
            _fetchedAt = timeProvider.GetUtcNow();
            LogFetched(logger, keys.Count, options.Value.JwksUri);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Keep the keys we had: a brief auth outage must not log everybody out.
            LogFetchFailed(logger, ex, options.Value.JwksUri);
        }
    }

    public void Dispose() => _fetchGate.Dispose();

    [LoggerMessage(EventId = 1, EventName = "JwksFetched", Level = LogLevel.Information, Message = "Fetched {Count} signing keys from {JwksUri}")]
    private static partial void LogFetched(ILogger logger, int count, Uri jwksUri);

    [LoggerMessage(EventId = 2, EventName = "JwksFetchFailed", Level = LogLevel.Warning, Message = "Could not fetch the signing keys from {JwksUri}; keeping the previous ones")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception, Uri jwksUri);
}
