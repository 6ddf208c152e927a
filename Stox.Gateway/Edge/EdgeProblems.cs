using System.Globalization;

namespace Stox.Gateway.Edge;

/// <summary>The answers the gateway itself gives, as ProblemDetails with a stable type (<c>https://stox.dev/problems/{name}</c>).</summary>
internal static class EdgeProblems
{
    public static IResult NotFound() =>
        Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "No API endpoint matches this path.");

    public static IResult RateLimited(int limit, string retryAfterSeconds) =>
        Problem(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
            $"This client has made more than {limit} requests of this kind in the current window. Try again in {retryAfterSeconds} s.");

    public static IResult TooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "Request body too large",
            $"The request body is larger than the {FormatBytes(limit)} this endpoint accepts.");

    public static IResult TimedOut() =>
        Problem(StatusCodes.Status504GatewayTimeout, "timeout", "Gateway timeout",
            "The service did not answer in time. The request may still complete; check before repeating it.");

    public static IResult Unavailable() =>
        Problem(StatusCodes.Status503ServiceUnavailable, "unavailable", "Service unavailable",
            "No healthy replica of the service can take this request right now. Try again shortly.");

    public static IResult BadGateway() =>
        Problem(StatusCodes.Status502BadGateway, "bad-gateway", "Bad gateway",
            "The service could not be reached or gave no valid answer.");

    private static IResult Problem(int status, string name, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, type: $"https://stox.dev/problems/{name}");

    private static string FormatBytes(long bytes) => bytes >= 1024 * 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB");
}
