using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Stox.Jobs.Data;
using Stox.Jobs.Infrastructure;

namespace Stox.Jobs.Uploads;

/// <summary>
/// <c>Idempotency-Key</c>: the first request with a key claims it; its success is stored and replayed to every
/// repeat by the same user (no second image); a failure releases the key so the client can retry. A repeat
/// while the first is still running gets 409; a key reused for another operation gets 422.
/// </summary>
public sealed class IdempotencyStore(JobsDbContext db, TimeProvider time, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>A claim older than this is from a request that died; a repeat takes it over.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(5);

    public static bool IsValidKey(string key) => key.Length is > 0 and <= 255 && key.All(c => c is >= '!' and <= '~');

    /// <summary>Null when this request now owns the key; otherwise what to answer instead of running it.</summary>
    public async Task<IResult?> ClaimAsync(Guid userId, string key, string operation, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO idempotency_keys ("UserId", "Key", "Operation", "CreatedAt") VALUES ({userId}, {key}, {operation}, {now})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        if (inserted == 1)
        {
            return null;
        }

        var record = await db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(r => r.UserId == userId && r.Key == key, cancellationToken);
        if (record is null)
        {
            // Released between the insert and the read: try once more.
            return await ClaimAsync(userId, key, operation, cancellationToken);
        }

        if (record.Operation != operation)
        {
            return Problems.IdempotencyKeyReused();
        }

        if (record.StatusCode is { } status)
        {
            return new Replay(status, record.ResponseBody ?? "null");
        }

        var abandoned = now - AbandonedAfter;
        var taken = await db.Database.ExecuteSqlAsync($"""
            UPDATE idempotency_keys SET "CreatedAt" = {now}
            WHERE "UserId" = {userId} AND "Key" = {key} AND "StatusCode" IS NULL AND "CreatedAt" < {abandoned}
            """, cancellationToken);
        return taken == 1 ? null : Problems.IdempotencyKeyInUse();
    }

    public async Task CompleteAsync<T>(Guid userId, string key, int statusCode, T response, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(response, json.Value.SerializerOptions);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE idempotency_keys SET "StatusCode" = {statusCode}, "ResponseBody" = {body}::jsonb
            WHERE "UserId" = {userId} AND "Key" = {key}
            """, cancellationToken);
    }

    public Task ReleaseAsync(Guid userId, string key, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""DELETE FROM idempotency_keys WHERE "UserId" = {userId} AND "Key" = {key} AND "StatusCode" IS NULL""", cancellationToken);

    /// <summary>The stored answer, sent again as it was, marked as a replay.</summary>
    private sealed class Replay(int statusCode, string body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.Headers[ReplayedHeader] = "true";
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await httpContext.Response.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
