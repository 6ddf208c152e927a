using Stox.ServiceDefaults.Problems;
using System.Buffers.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stox.Auth.Data;
using Stox.Auth.Infrastructure;
using Stox.Auth.Tokens;
using StackExchange.Redis;

namespace Stox.Auth.Apis;

/// <summary>/api/admin: user administration and key rotation (role admin, checked against the database).</summary>
public static partial class AdminApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>Redis key a validator may check to refuse a deactivated user's live access tokens at once.</summary>
    public static string DenyKey(Guid userId) => $"stox:auth:deny:{userId}";

    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(p => p.RequireRole(Roles.Admin));
        group.MapGet("/users", ListUsersAsync);
        group.MapPatch("/users/{id:guid}", UpdateUserAsync);
        group.MapPost("/keys/rotate", RotateKeyAsync);
        return group;
    }

    public static async Task<Results<Ok<UserPage>, ValidationProblem, ProblemHttpResult>> ListUsersAsync(
        HttpContext http, AuthDbContext db, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        if (await RequireAdminAsync(http, db, cancellationToken) is { } denied)
        {
            return denied;
        }

        var errors = new FieldErrors();
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            errors.Add("limit", $"The limit must be between 1 and {MaxPageSize}.");
        }

        Guid? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (cursor.Length <= 64 && Base64Url.IsValid(cursor) && Base64Url.DecodeFromChars(cursor) is { Length: 16 } bytes)
            {
                after = new Guid(bytes, bigEndian: true);
            }
            else
            {
                errors.Add("cursor", "The cursor is not valid.");
            }
        }

        if (errors.Any)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        // Keyset pagination on the (time-ordered, version 7) id: stable under inserts, no OFFSET scans.
        var query = db.Users.AsNoTracking();
        if (after is { } a)
        {
            query = query.Where(u => u.Id.CompareTo(a) > 0);
        }

        var users = await query.OrderBy(u => u.Id).Take(size + 1).ToListAsync(cancellationToken);
        var next = users.Count > size ? Base64Url.EncodeToString(users[size - 1].Id.ToByteArray(bigEndian: true)) : null;
        return TypedResults.Ok(new UserPage([.. users.Take(size).Select(AdminUser.From)], next));
    }

    public static async Task<Results<Ok<AdminUser>, ValidationProblem, ProblemHttpResult>> UpdateUserAsync(
        HttpContext http,
        Guid id,
        AuthDbContext db,
        SessionService sessions,
        IConnectionMultiplexer redis,
        IOptions<AuthOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (await RequireAdminAsync(http, db, cancellationToken) is { } denied)
        {
            return denied;
        }

        var (body, bad) = await JsonBody.ReadAsync<UpdateUserRequest>(http.Request, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }

        var errors = new FieldErrors();
        if (body!.Role is not null && !Roles.All.Contains(body.Role))
        {
            errors.Add("role", $"The role must be one of: {string.Join(", ", Roles.All)}.");
        }

        if (body.Tier is not null && !Tiers.All.Contains(body.Tier))
        {
            errors.Add("tier", $"The tier must be one of: {string.Join(", ", Tiers.All)}.");
        }

        if (body is { Role: null, Tier: null, IsActive: null })
        {
            errors.Add("body", "Give at least one of role, tier, isActive.");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return Problems.NotFound("user");
        }

        var self = await CurrentUser.LoadAsync(http.User, db, cancellationToken);
        if (self!.Id == user.Id && (body.IsActive == false || body.Role == Roles.User))
        {
            return Problems.Conflict("Admins cannot deactivate or demote themselves; ask another admin.");
        }

        var deactivated = user.IsActive && body.IsActive == false;
        user.Role = body.Role ?? user.Role;
        user.Tier = body.Tier ?? user.Tier;
        user.IsActive = body.IsActive ?? user.IsActive;
        await db.SaveChangesAsync(cancellationToken);

        if (deactivated)
        {
            await sessions.RevokeAllAsync(user.Id, "deactivated", keepSessionId: null, cancellationToken);
            // Validators that check the deny-list refuse the user's live access tokens at once; the entry outlives them.
            await redis.GetDatabase().StringSetAsync(DenyKey(user.Id), "1", options.Value.AccessTokenLifetime + TimeSpan.FromMinutes(1));
        }
        else if (body.IsActive == true)
        {
            await redis.GetDatabase().KeyDeleteAsync(DenyKey(user.Id));
        }

        LogUserUpdated(loggers.CreateLogger(typeof(AdminApi)), self.Id, user.Id, user.Role, user.Tier, user.IsActive);
        return TypedResults.Ok(AdminUser.From(user));
    }

    public static async Task<Results<Ok<RotateKeyResponse>, ProblemHttpResult>> RotateKeyAsync(
        HttpContext http, AuthDbContext db, SigningKeyStore keys, CancellationToken cancellationToken)
    {
        if (await RequireAdminAsync(http, db, cancellationToken) is { } denied)
        {
            return denied;
        }

        return TypedResults.Ok(new RotateKeyResponse(await keys.RotateAsync(cancellationToken)));
    }

    /// <summary>The token said admin; the database must agree now (a demoted admin loses power at once).</summary>
    private static async Task<ProblemHttpResult?> RequireAdminAsync(HttpContext http, AuthDbContext db, CancellationToken cancellationToken)
    {
        var user = await CurrentUser.LoadAsync(http.User, db, cancellationToken);
        if (user is null)
        {
            return Problems.Unauthenticated();
        }

        return user.Role == Roles.Admin ? null : Problems.Forbidden();
    }

    [LoggerMessage(EventId = 600, EventName = "UserUpdatedByAdmin", Level = LogLevel.Information,
        Message = "Admin {AdminId} updated user {UserId}: role {Role}, tier {Tier}, active {IsActive}")]
    private static partial void LogUserUpdated(ILogger logger, Guid adminId, Guid userId, string role, string tier, bool isActive);
}
