using Stox.ServiceDefaults.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stox.Auth.Data;
using Stox.Auth.Infrastructure;
using Stox.Auth.Passwords;
using Stox.Auth.RateLimiting;
using Stox.Auth.Tokens;
using Stox.Auth.Usage;

namespace Stox.Auth.Apis;

/// <summary>/api/account: the signed-in user's profile, password and usage.</summary>
public static class AccountApi
{
    public static RouteGroupBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/account").WithTags("Account").RequireAuthorization();
        group.MapGet("/", GetProfileAsync);
        group.MapPatch("/", UpdateProfileAsync);
        group.MapPost("/password", ChangePasswordAsync);
        group.MapGet("/usage", GetUsageAsync);
        return group;
    }

    public static async Task<Results<Ok<UserProfile>, ProblemHttpResult>> GetProfileAsync(HttpContext http, AuthDbContext db, CancellationToken cancellationToken) =>
        await CurrentUser.LoadAsync(http.User, db, cancellationToken) is { } user
            ? TypedResults.Ok(UserProfile.From(user))
            : Problems.Unauthenticated();

    public static async Task<Results<Ok<UserProfile>, ValidationProblem, ProblemHttpResult>> UpdateProfileAsync(
        HttpContext http, AuthDbContext db, CancellationToken cancellationToken)
    {
        if (await CurrentUser.LoadAsync(http.User, db, cancellationToken) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var (body, bad) = await JsonBody.ReadAsync<UpdateProfileRequest>(http.Request, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }

        if (body!.DisplayName is null)
        {
            return Problems.Validation("displayName", "The displayName is required (send \"\" to clear it).");
        }

        var errors = new FieldErrors();
        var name = body.DisplayName.Trim().Length == 0 ? null : errors.DisplayName("displayName", body.DisplayName);
        if (errors.Any)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        user.DisplayName = name;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(UserProfile.From(user));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        HttpContext http,
        AuthDbContext db,
        PasswordHasher hasher,
        SessionService sessions,
        AttemptLimiter limiter,
        CancellationToken cancellationToken)
    {
        if (await CurrentUser.LoadAsync(http.User, db, cancellationToken) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var (body, bad) = await JsonBody.ReadAsync<ChangePasswordRequest>(http.Request, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }

        var errors = new FieldErrors();
        if (errors.Required("currentPassword", body!.CurrentPassword) && body.CurrentPassword.Length > PasswordPolicy.MaxLength)
        {
            errors.Add("currentPassword", $"The currentPassword must be at most {PasswordPolicy.MaxLength} characters long.");
        }

        if (errors.Required("newPassword", body.NewPassword))
        {
            if (PasswordPolicy.Check(body.NewPassword, user.Email) is { } weak)
            {
                errors.Add("newPassword", weak);
            }
            else if (body.NewPassword == body.CurrentPassword)
            {
                errors.Add("newPassword", "The new password must differ from the current one.");
            }
        }

        if (errors.Any)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        if (await limiter.CheckAccountAsync(user.Email, cancellationToken) is { } wait)
        {
            return AuthApi.TooMany(http, wait);
        }

        if (hasher.Verify(user.PasswordHash, body.CurrentPassword!) == PasswordCheck.Failed)
        {
            await limiter.RecordAccountFailureAsync(user.Email, cancellationToken);
            return Problems.Validation("currentPassword", "The current password is incorrect.");
        }

        user.PasswordHash = hasher.Hash(body.NewPassword!);
        await db.SaveChangesAsync(cancellationToken);

        // Every other session ends; the one that changed the password goes on.
        await sessions.RevokeAllAsync(user.Id, "password-change", CurrentUser.SessionId(http.User), cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<UsageResponse>, ProblemHttpResult>> GetUsageAsync(
        HttpContext http, AuthDbContext db, JobsUsageClient jobs, IOptions<AuthOptions> options, CancellationToken cancellationToken)
    {
        if (await CurrentUser.LoadAsync(http.User, db, cancellationToken) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        var quota = options.Value.MonthlyUploadQuotas.GetValueOrDefault(user.Tier);
        var usage = await jobs.GetUsageAsync(user.Id, cancellationToken);
        return TypedResults.Ok(usage is null
            ? new UsageResponse(null, null, null, quota, user.Tier, UsageAvailable: false)
            : new UsageResponse(usage.Images, usage.BytesStored, usage.UploadsThisMonth, quota, user.Tier, UsageAvailable: true));
    }
}
