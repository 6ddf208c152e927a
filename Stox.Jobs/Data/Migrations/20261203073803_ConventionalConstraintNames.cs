using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stox.Jobs.Data.Migrations
{
    /// <summary>
    /// Databases made before the migrations were generated got Initial as raw SQL, which left PostgreSQL's own names
    /// on the primary and foreign keys (<c>images_pkey</c>, <c>image_jobs_ImageId_fkey</c>). This gives them the
    /// names the generated Initial and the snapshot use, so later generated migrations find them. A database made by
    /// the generated Initial already has them and is left as it is.
    /// </summary>
    public partial class ConventionalConstraintNames : Migration
    {
        private static readonly (string Table, string Legacy, string Conventional)[] Renames =
        [
            ("images", "images_pkey", "PK_images"),
            ("image_jobs", "image_jobs_pkey", "PK_image_jobs"),
            ("image_jobs", "image_jobs_ImageId_fkey", "FK_image_jobs_images_ImageId"),
            ("outbox_messages", "outbox_messages_pkey", "PK_outbox_messages"),
            ("idempotency_keys", "idempotency_keys_pkey", "PK_idempotency_keys"),
            ("upload_counters", "upload_counters_pkey", "PK_upload_counters"),
            ("storage_deletions", "storage_deletions_pkey", "PK_storage_deletions"),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, legacy, conventional) in Renames)
            {
                migrationBuilder.Sql($"""
                    DO $$
                    BEGIN
                        IF EXISTS (SELECT FROM pg_constraint WHERE conrelid = '{table}'::regclass AND conname = '{legacy}') THEN
                            ALTER TABLE {table} RENAME CONSTRAINT "{legacy}" TO "{conventional}";
                        END IF;
                    END $$;
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The conventional names are also what the generated Initial creates: nothing to undo.
        }
    }
}
