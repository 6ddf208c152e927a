using Microsoft.EntityFrameworkCore;

namespace Stox.Auth.Data;

/// <summary>The auth database (authdb): users, sessions (refresh-token families and tokens), signing keys.</summary>
public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<RefreshTokenFamily> RefreshTokenFamilies => Set<RefreshTokenFamily>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(b =>
        {
            b.ToTable("users");
            b.HasKey(u => u.Id);
            b.Property(u => u.Id).ValueGeneratedNever();
            b.Property(u => u.Email).HasMaxLength(254).IsRequired();
            b.HasIndex(u => u.Email).IsUnique();
            b.Property(u => u.DisplayName).HasMaxLength(100);
            b.Property(u => u.PasswordHash).HasMaxLength(256).IsRequired();
            b.Property(u => u.Role).HasMaxLength(16).IsRequired();
            b.Property(u => u.Tier).HasMaxLength(16).IsRequired();
        });

        modelBuilder.Entity<RefreshTokenFamily>(b =>
        {
            b.ToTable("refresh_token_families");
            b.HasKey(f => f.Id);
            b.Property(f => f.Id).ValueGeneratedNever();
            b.Property(f => f.RevokedReason).HasMaxLength(32);
            b.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<RefreshToken>(b =>
        {
            b.ToTable("refresh_tokens");
            b.HasKey(t => t.Id);
            b.Property(t => t.Id).ValueGeneratedNever();
            b.Property(t => t.TokenHash).IsRequired();
            b.HasIndex(t => t.TokenHash).IsUnique();
            b.HasOne<RefreshTokenFamily>().WithMany().HasForeignKey(t => t.FamilyId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<SigningKey>(b =>
        {
            b.ToTable("signing_keys");
            b.HasKey(k => k.Kid);
            b.Property(k => k.Kid).HasMaxLength(64);
            b.Property(k => k.PrivateKey).IsRequired();
        });
    }
}
