using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Stox.Jobs.Data;

/// <summary>The jobs database (jobsdb): images, their jobs, the outbox, idempotency keys, upload counters, pending deletions, generations and the credits ledger.</summary>
public sealed class JobsDbContext(DbContextOptions<JobsDbContext> options) : DbContext(options)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public DbSet<Image> Images => Set<Image>();

    public DbSet<ImageJob> Jobs => Set<ImageJob>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();

    public DbSet<UploadCounter> UploadCounters => Set<UploadCounter>();

    public DbSet<StorageDeletion> StorageDeletions => Set<StorageDeletion>();

    public DbSet<Generation> Generations => Set<Generation>();

    public DbSet<CreditAccount> CreditAccounts => Set<CreditAccount>();

    public DbSet<CreditTransaction> CreditTransactions => Set<CreditTransaction>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var variants = new ValueComparer<List<StoredVariant>>(
            (a, b) => a!.SequenceEqual(b!),
            v => v.Aggregate(0, (hash, item) => HashCode.Combine(hash, item.GetHashCode())),
            v => v.ToList());

        modelBuilder.Entity<Image>(b =>
        {
            b.ToTable("images");
            b.HasKey(i => i.Id);
            b.Property(i => i.OriginalName).HasMaxLength(255);
            b.Property(i => i.OriginalKey).HasMaxLength(512);
            b.Property(i => i.ContentType).HasMaxLength(64);
            b.Property(i => i.OriginalFormat).HasMaxLength(16);
            b.Property(i => i.Status).HasMaxLength(16);
            b.Property(i => i.Error).HasMaxLength(ErrorText.MaxLength);
            b.Property(i => i.Placeholder).HasMaxLength(128);
            b.Property(i => i.DominantColor).HasMaxLength(16);
            foreach (var property in new[] { b.Property(i => i.Variants), b.Property(i => i.Enhanced) })
            {
                property.HasColumnType("jsonb").HasConversion(
                    v => JsonSerializer.Serialize(v, JsonOptions),
                    v => JsonSerializer.Deserialize<List<StoredVariant>>(v, JsonOptions) ?? new List<StoredVariant>(),
                    variants);
            }
            b.HasIndex(i => new { i.UserId, i.CreatedAt, i.Id }).IsDescending(false, true, true);
            b.HasIndex(i => new { i.Status, i.UpdatedAt });
            b.HasMany(i => i.Jobs).WithOne(j => j.Image).HasForeignKey(j => j.ImageId).OnDelete(DeleteBehavior.Cascade);
            b.HasIndex(i => i.GenerationId).HasFilter("\"GenerationId\" IS NOT NULL");
        });

        modelBuilder.Entity<ImageJob>(b =>
        {
            b.ToTable("image_jobs");
            b.HasKey(j => j.Id);
            b.Property(j => j.Status).HasMaxLength(16);
            b.Property(j => j.Worker).HasMaxLength(200);
            b.Property(j => j.Stage).HasMaxLength(32);
            b.Property(j => j.Error).HasMaxLength(ErrorText.MaxLength);
            b.HasIndex(j => j.ImageId);
            b.HasIndex(j => new { j.Status, j.LastHeartbeatAt });
        });

        modelBuilder.Entity<OutboxMessage>(b =>
        {
            b.ToTable("outbox_messages");
            b.HasKey(m => m.Id);
            b.Property(m => m.Type).HasMaxLength(64);
            b.Property(m => m.RoutingKey).HasMaxLength(128);
            b.Property(m => m.Payload).HasColumnType("jsonb");
            b.Property(m => m.TraceParent).HasMaxLength(128);
            b.Property(m => m.LastError).HasMaxLength(ErrorText.MaxLength);
            b.HasIndex(m => m.NextAttemptAt).HasFilter("\"SentAt\" IS NULL");
        });

        modelBuilder.Entity<IdempotencyRecord>(b =>
        {
            b.ToTable("idempotency_keys");
            b.HasKey(r => new { r.UserId, r.Key });
            b.Property(r => r.Key).HasMaxLength(255);
            b.Property(r => r.Operation).HasMaxLength(64);
            b.Property(r => r.ResponseBody).HasColumnType("jsonb");
            b.HasIndex(r => r.CreatedAt);
        });

        modelBuilder.Entity<UploadCounter>(b =>
        {
            b.ToTable("upload_counters");
            b.HasKey(c => new { c.UserId, c.Month });
        });

        modelBuilder.Entity<StorageDeletion>(b =>
        {
            b.ToTable("storage_deletions");
            b.HasKey(d => d.Id);
            b.Property(d => d.LastError).HasMaxLength(ErrorText.MaxLength);
            b.HasIndex(d => d.NextAttemptAt);
        });

        modelBuilder.Entity<Generation>(b =>
        {
            b.ToTable("generations");
            b.HasKey(g => g.Id);
            b.Property(g => g.Prompt).HasMaxLength(Stox.Jobs.Generations.GenerationLimits.MaxPromptLength);
            b.Property(g => g.NegativePrompt).HasMaxLength(Stox.Jobs.Generations.GenerationLimits.MaxPromptLength);
            b.Property(g => g.Style).HasMaxLength(32);
            b.Property(g => g.AspectRatio).HasMaxLength(8);
            b.Property(g => g.Provider).HasMaxLength(32);
            b.Property(g => g.Model).HasMaxLength(64);
            b.Property(g => g.Status).HasMaxLength(16);
            b.Property(g => g.Error).HasMaxLength(ErrorText.MaxLength);
            b.HasIndex(g => new { g.UserId, g.CreatedAt, g.Id }).IsDescending(false, true, true);
            b.HasIndex(g => new { g.Status, g.CreatedAt });
            // Deleting a picture leaves its generation's record; the generation keeps what it cost.
            b.HasMany(g => g.Images).WithOne().HasForeignKey(i => i.GenerationId).OnDelete(DeleteBehavior.SetNull);
        });

        modelBuilder.Entity<CreditAccount>(b =>
        {
            b.ToTable("credit_accounts", t => t.HasCheckConstraint("CK_credit_accounts_Balance", "\"Balance\" >= 0"));
            b.HasKey(a => a.UserId);
            b.Property(a => a.Tier).HasMaxLength(32);
        });

        modelBuilder.Entity<CreditTransaction>(b =>
        {
            b.ToTable("credit_transactions");
            b.HasKey(t => t.Id);
            b.Property(t => t.Kind).HasMaxLength(16);
            b.Property(t => t.Reason).HasMaxLength(200);
            b.Property(t => t.Reference).HasMaxLength(200);
            b.HasIndex(t => t.Reference).IsUnique();
            b.HasIndex(t => new { t.UserId, t.CreatedAt, t.Id }).IsDescending(false, true, true);
        });
    }
}
