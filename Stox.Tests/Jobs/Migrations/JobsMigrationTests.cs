using Microsoft.EntityFrameworkCore;
using Npgsql;
using Stox.Jobs.Data;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Jobs.Migrations;

/// <summary>Also covers ConventionalConstraintNames: the old raw-SQL Initial left PostgreSQL's own key names.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobsMigrationTests(PostgresServerFixture server) : MigrationUpgradeTests<JobsDbContext>(server)
{
    private static readonly Guid ImageId = Guid.Parse("3c2b1a09-8f7e-4d6c-9b5a-493827160504");

    protected override string LegacyScript => "Jobs/Migrations/jobsdb-hand-written-migrations.sql";

    protected override JobsDbContext CreateContext(DbContextOptions<JobsDbContext> options) => new(options);

    protected override async Task SeedLegacyRowsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($$"""
            INSERT INTO images ("Id", "UserId", "OriginalName", "OriginalKey", "ContentType", "OriginalBytes", "Status", "Progress",
                                "Enhance", "Formats", "Variants", "Enhanced", "StoredBytes", "CreatedAt", "UpdatedAt")
            VALUES ('{{ImageId}}', gen_random_uuid(), 'cat.jpg', 'originals/u/cat.jpg', 'image/jpeg', 1234, 'complete', 100, false,
                    '{webp}', '[{"preset":"thumb","format":"webp","width":320,"height":240,"bytes":999,"contentType":"image/webp","key":"variants/u/i/thumb.webp"}]',
                    '[]', 2233, now(), now());
            INSERT INTO image_jobs ("Id", "ImageId", "UserId", "Status", "Enhance", "Formats", "Attempts", "Requeues", "Progress", "QueuedAt")
            VALUES (gen_random_uuid(), '{{ImageId}}', gen_random_uuid(), 'complete', false, '{webp}', 1, 0, 100, now());
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task AssertLegacyRowsKeptAsync(JobsDbContext db)
    {
        var image = await db.Images.Include(i => i.Jobs).SingleAsync();
        Assert.Equal(ImageId, image.Id);
        Assert.Equal("variants/u/i/thumb.webp", Assert.Single(image.Variants).Key);
        Assert.Single(image.Jobs);

        // The renamed foreign key still cascades in the database.
        await db.Images.Where(i => i.Id == ImageId).ExecuteDeleteAsync();
        Assert.False(await db.Jobs.AnyAsync());
    }
}
