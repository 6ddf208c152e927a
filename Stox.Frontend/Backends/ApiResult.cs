using System.Net;

namespace Stox.Frontend.Backends;

/// <summary>What a call to auth or jobs gave: a value, or a problem a person can read.</summary>
public sealed record ApiResult<T>(HttpStatusCode Status, T? Value, ApiProblem? Problem)
{
    public bool Succeeded => Problem is null;

    public static ApiResult<T> Fail(ApiProblem problem) => new((HttpStatusCode)problem.Status, default, problem);
}

/// <summary>An RFC 9457 problem from a service, or one made up for a network failure.</summary>
public sealed record ApiProblem(
    int Status,
    string? Type,
    string? Title,
    string? Detail,
    IReadOnlyDictionary<string, string[]> Errors,
    TimeSpan? RetryAfter)
{
    private const string TypePrefix = "https://stox.dev/problems/";

    /// <summary>The last segment of the problem type (<c>email-taken</c>, <c>validation</c>...), or null.</summary>
    public string? Name => Type is not null && Type.StartsWith(TypePrefix, StringComparison.Ordinal) ? Type[TypePrefix.Length..] : null;

    /// <summary>The sentence to show: the service's detail, with the wait spelled out when rate limited.</summary>
    public string Message
    {
        get
        {
            var text = !string.IsNullOrWhiteSpace(Detail) ? Detail! : !string.IsNullOrWhiteSpace(Title) ? Title! : Fallback(Status);
            if (Status == 429 && RetryAfter is { } wait)
            {
                text = $"{text.TrimEnd('.')}. Try again in {Describe(wait)}.";
            }

            return text;
        }
    }

    /// <summary>The first message for a field (names compared case-insensitively), or null.</summary>
    public string? ErrorFor(string field) =>
        Errors.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    public static ApiProblem Unavailable(string service) =>
        new(503, null, null, $"The {service} service is not answering right now. Please try again in a moment.", Empty, null);

    internal static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();

    internal static string Fallback(int status) => status switch
    {
        400 => "The request was not accepted.",
        401 => "Your session has ended. Please sign in again.",
        403 => "You are not allowed to do that.",
        404 => "That was not found. It may have been deleted.",
        409 => "That conflicts with the current state. Reload and try again.",
        413 => "That file is too large.",
        415 => "That file type is not supported.",
        429 => "Too many attempts.",
        >= 500 => "Something went wrong on our side. Please try again in a moment.",
        _ => $"The request failed ({status}).",
    };

    /// <summary>A wait as words: "a second", "40 seconds", "14 minutes".</summary>
    public static string Describe(TimeSpan wait) => wait.TotalSeconds switch
    {
        < 2 => "a second",
        < 90 => $"{Math.Ceiling(wait.TotalSeconds)} seconds",
        < 5400 => $"{Math.Ceiling(wait.TotalMinutes)} minutes",
        _ => $"{Math.Ceiling(wait.TotalHours)} hours",
    };
}
