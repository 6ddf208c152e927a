namespace Stox.Jobs.Generations.Providers;

public enum ProviderErrorKind
{
    /// <summary>The provider's moderation refused the prompt or the image it made.</summary>
    ContentRefused,
    /// <summary>The API key is wrong, revoked or lacks permission.</summary>
    KeyRejected,
    /// <summary>Still rate limited after every attempt.</summary>
    RateLimited,
    /// <summary>Server errors or no connection after every attempt, or an account without quota.</summary>
    Unavailable,
    /// <summary>The provider says the request itself is wrong (parameters, size, model).</summary>
    InvalidRequest,
    /// <summary>No answer within the per-attempt deadline, on every attempt.</summary>
    TimedOut,
    /// <summary>The provider answered success with something that is not what it documents (no image, bad base64).</summary>
    BadResponse,
}

/// <summary>
/// A provider failure in words a person can read. The message may quote the provider's own error text,
/// but never the API key: every quoted text passes through <see cref="ProviderText.Scrub"/> first.
/// </summary>
public sealed class ProviderException : Exception
{
    public ProviderException(ProviderErrorKind kind, string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
    }

    public ProviderErrorKind Kind { get; }

    /// <summary>The provider's HTTP status of the last answer, if there was one.</summary>
    public int? StatusCode { get; }

    /// <summary>Set on transient failures inside one attempt so the retry strategy can honour the provider's Retry-After.</summary>
    internal TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether another attempt may succeed (429 and 5xx, except an exhausted quota).</summary>
    internal bool IsTransient { get; init; }
}
