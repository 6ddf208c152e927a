using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stox.Jobs.Data.Migrations
{
    /// <inheritdoc />
    public partial class GenerationsAndCredits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "GenerationId",
                table: "images",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Seed",
                table: "images",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "credit_accounts",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Balance = table.Column<int>(type: "integer", nullable: false),
                    Tier = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    LastGrantMonth = table.Column<DateOnly>(type: "date", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_credit_accounts", x => x.UserId);
                    table.CheckConstraint("CK_credit_accounts_Balance", "\"Balance\" >= 0");
                });

            migrationBuilder.CreateTable(
                name: "credit_transactions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Amount = table.Column<int>(type: "integer", nullable: false),
                    BalanceAfter = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Reference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_credit_transactions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "generations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Prompt = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    NegativePrompt = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Style = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    AspectRatio = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Seed = table.Column<long>(type: "bigint", nullable: true),
                    Count = table.Column<int>(type: "integer", nullable: false),
                    Provider = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Model = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CreditsCharged = table.Column<int>(type: "integer", nullable: false),
                    CreditsRefunded = table.Column<int>(type: "integer", nullable: false),
                    Enhance = table.Column<bool>(type: "boolean", nullable: false),
                    Formats = table.Column<string[]>(type: "text[]", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_generations", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_images_GenerationId",
                table: "images",
                column: "GenerationId",
                filter: "\"GenerationId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_credit_transactions_Reference",
                table: "credit_transactions",
                column: "Reference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_credit_transactions_UserId_CreatedAt_Id",
                table: "credit_transactions",
                columns: new[] { "UserId", "CreatedAt", "Id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "IX_generations_Status_CreatedAt",
                table: "generations",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_generations_UserId_CreatedAt_Id",
                table: "generations",
                columns: new[] { "UserId", "CreatedAt", "Id" },
                descending: new[] { false, true, true });

            migrationBuilder.AddForeignKey(
                name: "FK_images_generations_GenerationId",
                table: "images",
                column: "GenerationId",
                principalTable: "generations",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_images_generations_GenerationId",
                table: "images");

            migrationBuilder.DropTable(
                name: "credit_accounts");

            migrationBuilder.DropTable(
                name: "credit_transactions");

            migrationBuilder.DropTable(
                name: "generations");

            migrationBuilder.DropIndex(
                name: "IX_images_GenerationId",
                table: "images");

            migrationBuilder.DropColumn(
                name: "GenerationId",
                table: "images");

            migrationBuilder.DropColumn(
                name: "Seed",
                table: "images");
        }
    }
}
