using Microsoft.AspNetCore.Http.HttpResults;
using Stox.ServiceDefaults.Problems;

namespace Stox.Auth.Infrastructure;

/// <summary>The auth service's errors: RFC 9457 problem details with a stable <c>type</c> and <c>title</c>.</summary>
public static class Problems
{
    public static ProblemHttpResult InvalidCredentials() =>
        Problem(401, "invalid-credentials", "Invalid credentials", "The email or password is incorrect.");

    public static ProblemHttpResult InvalidRefreshToken() =>
        Problem(401, "invalid-refresh-token", "Invalid refresh token", "The refresh token is unknown, expired, already used or revoked. Sign in again.");

    public static ProblemHttpResult Unauthenticated() =>
        Problem(401, "unauthenticated", "Authentication required", "A valid access token is required.");

    public static ProblemHttpResult AccountDisabled() =>
        Problem(403, "account-disabled", "Account disabled", "This account has been deactivated.");

    public static ProblemHttpResult Forbidden() =>
        Problem(403, "forbidden", "Forbidden", "You are not allowed to do this.");

    public static ProblemHttpResult EmailTaken() =>
        Problem(409, "email-taken", "Email already registered", "An account with this email already exists.");

    public static ProblemHttpResult NotFound(string what) =>
        Problem(404, "not-found", "Not found", $"The {what} does not exist.");

    public static ProblemHttpResult Conflict(string detail) =>
        Problem(409, "conflict", "Conflict", detail);

    public static ProblemHttpResult TooManyAttempts(TimeSpan retryAfter) =>
        Problem(429, "too-many-attempts", "Too many attempts", $"Too many attempts. Try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} seconds.");

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) => StoxProblems.Validation(errors);

    public static ValidationProblem Validation(string field, string error) => StoxProblems.Validation(field, error);

    private static ProblemHttpResult Problem(int status, string type, string title, string detail) =>
        StoxProblems.Create(status, type, title, detail);
}
