using Microsoft.EntityFrameworkCore;
using Npgsql;
using Stox.Auth.Data;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Auth.Migrations;

[Collection(PostgresCollection.Name)]
public sealed class AuthMigrationTests(PostgresServerFixture server) : MigrationUpgradeTests<AuthDbContext>(server)
{
    private static readonly Guid UserId = Guid.Parse("0b9f3c1e-54a4-4c47-9a5e-1f0d2f3a4b5c");
    private static readonly Guid FamilyId = Guid.Parse("6d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6");

    protected override string LegacyScript => "Auth/Migrations/authdb-hand-written-migrations.sql";

    protected override AuthDbContext CreateContext(DbContextOptions<AuthDbContext> options) => new(options);

    protected override async Task SeedLegacyRowsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"""
            INSERT INTO users ("Id", "Email", "DisplayName", "PasswordHash", "Role", "Tier", "IsActive", "CreatedAt")
            VALUES ('{UserId}', 'before-upgrade@stox.test', 'Before', 'pbkdf2-sha256$1000$c2FsdA$aGFzaA', 'user', 'free', true, now());
            INSERT INTO refresh_token_families ("Id", "UserId", "CreatedAt") VALUES ('{FamilyId}', '{UserId}', now());
            INSERT INTO refresh_tokens ("Id", "FamilyId", "TokenHash", "CreatedAt", "ExpiresAt")
            VALUES (gen_random_uuid(), '{FamilyId}', '\x01020304', now(), now() + interval '30 days');
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task AssertLegacyRowsKeptAsync(AuthDbContext db)
    {
        var user = await db.Users.SingleAsync();
        Assert.Equal(("before-upgrade@stox.test", "Before"), (user.Email, user.DisplayName));
        Assert.Equal(UserId, (await db.RefreshTokenFamilies.SingleAsync()).UserId);
        Assert.Equal(FamilyId, (await db.RefreshTokens.SingleAsync()).FamilyId);
    }
}
