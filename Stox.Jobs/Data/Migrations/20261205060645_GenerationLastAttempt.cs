using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stox.Jobs.Data.Migrations
{
    /// <inheritdoc />
    public partial class GenerationLastAttempt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LastAttemptAt",
                table: "generations",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LastAttemptAt",
                table: "generations");
        }
    }
}
