using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Stox.Jobs.Generations.Providers;

/// <summary>
/// Retries and deadlines of one provider call (Polly.Core): a per-attempt timeout inside a retry on 429, 5xx,
/// transport errors and timeouts, with exponential back-off and jitter unless the provider sends Retry-After.
/// The HttpClient it serves has no resilience handler of its own, so nothing retries twice.
/// </summary>
internal sealed partial class ProviderPipeline
{
    private readonly ResiliencePipeline _pipeline;
    private readonly GenerationProviderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _provider;

    public ProviderPipeline(string provider, GenerationProviderOptions options, TimeProvider time, ILogger logger)
    {
        _provider = provider;
        _options = options;
        _time = time;
        _logger = logger;

        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryAfter > TimeSpan.Zero ? options.MaxRetryAfter : null,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome.Exception)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is ProviderException { RetryAfter: { } after }
                        ? after < options.MaxRetryAfter ? after : options.MaxRetryAfter
                        : (TimeSpan?)null),
                OnRetry = args =>
                {
                    LogRetrying(_logger, _provider, args.AttemptNumber + 1, options.MaxAttempts, Describe(args.Outcome.Exception), (long)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        builder.AddTimeout(options.RequestTimeout);
        _pipeline = builder.Build();
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds, fails for good, or the attempts run out; then the last transient
    /// failure becomes a <see cref="ProviderException"/> saying how many attempts were made. Caller cancellation is not translated.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken ct)
    {
        var attempts = 0;
        try
        {
            return await _pipeline.ExecuteAsync(
                async token =>
                {
                    Interlocked.Increment(ref attempts);
                    return await attempt(token);
                },
                ct);
        }
        catch (ProviderException e) when (e.IsTransient)
        {
            throw GaveUp(new ProviderException(e.Kind, $"{e.Message} after {Attempts(attempts)}.", e.StatusCode, e));
        }
        catch (TimeoutRejectedException e) when (!ct.IsCancellationRequested)
        {
            var within = $"The provider did not answer within {Seconds(_options.RequestTimeout)} s";
            throw GaveUp(new ProviderException(
                ProviderErrorKind.TimedOut, attempts > 1 ? $"{within} ({Attempts(attempts)})." : $"{within}.", innerException: e));
        }
        catch (Exception e) when (IsTransport(e) && !ct.IsCancellationRequested)
        {
            throw GaveUp(new ProviderException(
                ProviderErrorKind.Unavailable,
                $"The provider could not be reached ({ProviderText.Scrub(e.Message, _options.ApiKey)}) after {Attempts(attempts)}.",
                innerException: e));
        }
    }

    private ProviderException GaveUp(ProviderException e)
    {
        LogGaveUp(_logger, _provider, e.Kind, e.StatusCode, e.Message);
        return e;
    }

    /// <summary>A failure another attempt may cure, with the wait the provider asked for.</summary>
    public ProviderException Transient(ProviderErrorKind kind, HttpResponseMessage response, string message) =>
        new(kind, message, (int)response.StatusCode) { IsTransient = true, RetryAfter = RetryAfter(response.Headers.RetryAfter) };

    public TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static bool IsTransient(Exception? e) => e is ProviderException { IsTransient: true } or TimeoutRejectedException || (e is not null && IsTransport(e));

    /// <summary>No connection, a reset, a half-read body: the request may not have reached the provider, or its answer us.</summary>
    private static bool IsTransport(Exception e) => e is HttpRequestException or IOException;

    private static string Describe(Exception? e) => e switch
    {
        ProviderException { StatusCode: { } status } p => $"HTTP {status} {p.Kind}",
        TimeoutRejectedException => "no answer in time",
        HttpRequestException { HttpRequestError: var error } => $"transport: {error}",
        null => "unknown",
        _ => e.GetType().Name,
    };

    private static string Attempts(int n) => n == 1 ? "1 attempt" : $"{n} attempts";

    internal static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    internal static string Status(HttpStatusCode status) => ((int)status).ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 900, EventName = "GenerationProviderRetrying", Level = LogLevel.Warning,
        Message = "Generation provider {Provider} attempt {Attempt} of {MaxAttempts} failed ({Reason}); retrying in {DelayMs} ms.")]
    private static partial void LogRetrying(ILogger logger, string provider, int attempt, int maxAttempts, string reason, long delayMs);

    [LoggerMessage(EventId = 901, EventName = "GenerationProviderGaveUp", Level = LogLevel.Warning,
        Message = "Generation provider {Provider} gave up ({Kind}, HTTP {StatusCode}): {Detail}")]
    private static partial void LogGaveUp(ILogger logger, string provider, ProviderErrorKind kind, int? statusCode, string detail);
}

internal static class ProviderText
{
    private const int MaxQuoted = 500;

    /// <summary>Provider text fit to quote: the key cut out wherever it appears (OpenAI echoes keys it rejects), and kept short.</summary>
    public static string Scrub(string? text, string? apiKey)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var scrubbed = string.IsNullOrEmpty(apiKey) ? text : text.Replace(apiKey, "***", StringComparison.Ordinal);
        scrubbed = scrubbed.ReplaceLineEndings(" ").Trim();
        return scrubbed.Length <= MaxQuoted ? scrubbed : string.Concat(scrubbed.AsSpan(0, MaxQuoted), "...");
    }

    /// <summary>PNG, JPEG or WebP by their signatures: what a provider documents it sends.</summary>
    public static bool LooksLikeImage(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8));

    /// <summary>The start of an error body, enough for the provider's JSON error, never a whole large body.</summary>
    public static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        const int limit = 64 * 1024;
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[limit];
        var read = 0;
        while (read < limit)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }
}
