using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

#nullable disable

namespace Stox.Auth.Data.Migrations;

/// <summary>The model as of the last migration (kept by hand in step with <see cref="AuthDbContext"/>; a test checks it).</summary>
[DbContext(typeof(AuthDbContext))]
public sealed class AuthDbContextModelSnapshot : ModelSnapshot
{
    protected override void BuildModel(ModelBuilder modelBuilder)
    {
        modelBuilder
            .HasAnnotation("ProductVersion", "10.0.0")
            .HasAnnotation("Relational:MaxIdentifierLength", 63);

        NpgsqlModelBuilderExtensions.UseIdentityByDefaultColumns(modelBuilder);

        modelBuilder.Entity("Stox.Auth.Data.RefreshToken", b =>
        {
            b.Property<Guid>("Id").HasColumnType("uuid");
            b.Property<DateTimeOffset>("CreatedAt").HasColumnType("timestamp with time zone");
            b.Property<DateTimeOffset>("ExpiresAt").HasColumnType("timestamp with time zone");
            b.Property<Guid>("FamilyId").HasColumnType("uuid");
            b.Property<byte[]>("TokenHash").IsRequired().HasColumnType("bytea");
            b.Property<DateTimeOffset?>("UsedAt").HasColumnType("timestamp with time zone");
            b.HasKey("Id");
            b.HasIndex("FamilyId");
            b.HasIndex("TokenHash").IsUnique();
            b.ToTable("refresh_tokens");
        });

        modelBuilder.Entity("Stox.Auth.Data.RefreshTokenFamily", b =>
        {
            b.Property<Guid>("Id").HasColumnType("uuid");
            b.Property<DateTimeOffset>("CreatedAt").HasColumnType("timestamp with time zone");
            b.Property<DateTimeOffset?>("RevokedAt").HasColumnType("timestamp with time zone");
            b.Property<string>("RevokedReason").HasMaxLength(32).HasColumnType("character varying(32)");
            b.Property<Guid>("UserId").HasColumnType("uuid");
            b.HasKey("Id");
            b.HasIndex("UserId");
            b.ToTable("refresh_token_families");
        });

        modelBuilder.Entity("Stox.Auth.Data.SigningKey", b =>
        {
            b.Property<string>("Kid").HasMaxLength(64).HasColumnType("character varying(64)");
            b.Property<DateTimeOffset>("CreatedAt").HasColumnType("timestamp with time zone");
            b.Property<byte[]>("PrivateKey").IsRequired().HasColumnType("bytea");
            b.HasKey("Kid");
            b.ToTable("signing_keys");
        });

        modelBuilder.Entity("Stox.Auth.Data.User", b =>
        {
            b.Property<Guid>("Id").HasColumnType("uuid");
            b.Property<DateTimeOffset>("CreatedAt").HasColumnType("timestamp with time zone");
            b.Property<string>("DisplayName").HasMaxLength(100).HasColumnType("character varying(100)");
            b.Property<string>("Email").IsRequired().HasMaxLength(254).HasColumnType("character varying(254)");
            b.Property<bool>("IsActive").HasColumnType("boolean");
            b.Property<DateTimeOffset?>("LastLoginAt").HasColumnType("timestamp with time zone");
            b.Property<string>("PasswordHash").IsRequired().HasMaxLength(256).HasColumnType("character varying(256)");
            b.Property<string>("Role").IsRequired().HasMaxLength(16).HasColumnType("character varying(16)");
            b.Property<string>("Tier").IsRequired().HasMaxLength(16).HasColumnType("character varying(16)");
            b.HasKey("Id");
            b.HasIndex("Email").IsUnique();
            b.ToTable("users");
        });

        modelBuilder.Entity("Stox.Auth.Data.RefreshToken", b =>
        {
            b.HasOne("Stox.Auth.Data.RefreshTokenFamily", null)
                .WithMany()
                .HasForeignKey("FamilyId")
                .OnDelete(DeleteBehavior.Cascade)
                .IsRequired();
        });

        modelBuilder.Entity("Stox.Auth.Data.RefreshTokenFamily", b =>
        {
            b.HasOne("Stox.Auth.Data.User", null)
                .WithMany()
                .HasForeignKey("UserId")
                .OnDelete(DeleteBehavior.Cascade)
                .IsRequired();
        });
    }
}
