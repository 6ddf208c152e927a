using Stox.ServiceDefaults.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Stox.Auth.Data;
using Stox.Auth.Infrastructure;
using Stox.Auth.Passwords;
using Stox.Auth.RateLimiting;
using Stox.Auth.Tokens;

namespace Stox.Auth.Apis;

/// <summary>/api/auth: register, login, refresh, logout, logout-all.</summary>
public static partial class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/register", RegisterAsync);
        group.MapPost("/login", LoginAsync);
        group.MapPost("/refresh", RefreshAsync);
        group.MapPost("/logout", LogoutAsync);
        group.MapPost("/logout-all", LogoutAllAsync).RequireAuthorization();
        return group;
    }

    public static async Task<Results<Created<AuthResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        HttpContext http,
        AuthDbContext db,
        PasswordHasher hasher,
        SessionService sessions,
        AttemptLimiter limiter,
        TimeProvider time,
        Microsoft.Extensions.Options.IOptions<AuthOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (await limiter.HitRegistrationAsync(CurrentUser.ClientIp(http), cancellationToken) is { } wait)
        {
            return TooMany(http, wait);
        }

        var (body, bad) = await JsonBody.ReadAsync<RegisterRequest>(http.Request, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }

        var errors = new FieldErrors();
        var email = errors.Email("email", body!.Email);
        var displayName = errors.DisplayName("displayName", body.DisplayName);
        if (errors.Required("password", body.Password) && PasswordPolicy.Check(body.Password, email) is { } weak)
        {
            errors.Add("password", weak);
        }

        if (errors.Any)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var now = time.GetUtcNow();
        var bootstrap = options.Value.BootstrapAdminEmail?.Trim().ToLowerInvariant();
        var user = new User
        {
            Id = Guid.CreateVersion7(now),
            Email = email!,
            DisplayName = displayName,
            PasswordHash = hasher.Hash(body.Password!),
            Role = string.Equals(email, bootstrap, StringComparison.Ordinal) ? Roles.Admin : Roles.User,
            Tier = Tiers.Free,
            CreatedAt = now,
            LastLoginAt = now,
        };
        db.Users.Add(user);
        var pair = sessions.StartSession(user);
        try
        {
            // One SaveChanges: the user, its first session and token are written together or not at all.
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Problems.EmailTaken();
        }

        LogRegistered(loggers.CreateLogger(typeof(AuthApi)), user.Id, user.Role);
        return TypedResults.Created("/api/account", new AuthResponse(UserProfile.From(user), pair.AccessToken, pair.RefreshToken, pair.ExpiresIn));
    }

    public static async Task<Results<Ok<AuthResponse>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        HttpContext http,
        AuthDbContext db,
        PasswordHasher hasher,
        SessionService sessions,
        AttemptLimiter limiter,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var (body, bad) = await JsonBody.ReadAsync<LoginRequest>(http.Request, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }

        var errors = new FieldErrors();
        var email = errors.Email("email", body!.Email);
        if (errors.Required("password", body.Password) && body.Password.Length > PasswordPolicy.MaxLength)
        {
            errors.Add("password", $"The password must be at most {PasswordPolicy.MaxLength} characters long.");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var ip = CurrentUser.ClientIp(http);
        if (await limiter.CheckLoginAsync(ip, email, cancellationToken) is { } wait)
        {
            return TooMany(http, wait);
        }

        var logger = loggers.CreateLogger(typeof(AuthApi));
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, cancellationToken);
        var check = PasswordCheck.Failed;
        if (user is null)
        {
            hasher.VerifyDummy(body.Password!); // the same work as a real check: no enumeration by timing
        }
        else
        {
            check = hasher.Verify(user.PasswordHash, body.Password!);
        }

        if (check == PasswordCheck.Failed)
        {
            await limiter.RecordLoginFailureAsync(ip, email, cancellationToken);
            LogLoginFailed(logger, user?.Id);
            return Problems.InvalidCredentials();
        }

        if (!user!.IsActive)
        {
            return Problems.AccountDisabled();
        }

        if (check == PasswordCheck.SucceededRehashNeeded)
        {
            user.PasswordHash = hasher.Hash(body.Password!);
        }

        user.LastLoginAt = time.GetUtcNow();
        var pair = sessions.StartSession(user);
        await db.SaveChangesAsync(cancellationToken);
        await limiter.ResetAccountAsync(email!, cancellationToken);
        return TypedResults.Ok(new AuthResponse(UserProfile.From(user), pair.AccessToken, pair.RefreshToken, pair.ExpiresIn));
    }

    public static async Task<Results<Ok<AuthResponse>, ValidationProblem, ProblemHttpResult>> RefreshAsync(
        HttpContext http,
        SessionService sessions,
        CancellationToken cancellationToken)
    {
        var (body, bad) = await JsonBody.ReadAsync<RefreshRequest>(http.Request, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }

        if (ValidateRefreshToken(body!.RefreshToken) is { } invalid)
        {
            return invalid;
        }

        var result = await sessions.RefreshAsync(body.RefreshToken!, cancellationToken);
        if (result is not { } ok)
        {
            return Problems.InvalidRefreshToken();
        }

        return TypedResults.Ok(new AuthResponse(UserProfile.From(ok.User), ok.Pair.AccessToken, ok.Pair.RefreshToken, ok.Pair.ExpiresIn));
    }

    public static async Task<Results<NoContent, ValidationProblem>> LogoutAsync(
        HttpContext http,
        SessionService sessions,
        CancellationToken cancellationToken)
    {
        var (body, bad) = await JsonBody.ReadAsync<RefreshRequest>(http.Request, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }

        if (ValidateRefreshToken(body!.RefreshToken) is { } invalid)
        {
            return invalid;
        }

        await sessions.LogoutAsync(body.RefreshToken!, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> LogoutAllAsync(
        HttpContext http,
        AuthDbContext db,
        SessionService sessions,
        CancellationToken cancellationToken)
    {
        if (await CurrentUser.LoadAsync(http.User, db, cancellationToken) is not { } user)
        {
            return Problems.Unauthenticated();
        }

        await sessions.RevokeAllAsync(user.Id, "logout-all", keepSessionId: null, cancellationToken);
        return TypedResults.NoContent();
    }

    private static ValidationProblem? ValidateRefreshToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return Problems.Validation("refreshToken", "The refreshToken is required.");
        }

        return token.Length > RefreshTokenCodec.MaxLength
            ? Problems.Validation("refreshToken", $"The refreshToken must be at most {RefreshTokenCodec.MaxLength} characters long.")
            : null;
    }

    internal static ProblemHttpResult TooMany(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.TooManyAttempts(wait);
    }

    [LoggerMessage(EventId = 400, EventName = "UserRegistered", Level = LogLevel.Information, Message = "User {UserId} registered with role {Role}")]
    private static partial void LogRegistered(ILogger logger, Guid userId, string role);

    [LoggerMessage(EventId = 401, EventName = "LoginFailed", Level = LogLevel.Information, Message = "Login failed (known account: {UserId})")]
    private static partial void LogLoginFailed(ILogger logger, Guid? userId);
}
