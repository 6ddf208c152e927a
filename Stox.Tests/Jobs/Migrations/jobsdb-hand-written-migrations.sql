-- What the hand-written migration 20261122120000_Initial (raw SQL, no model snapshot) ran, with the history row it wrote: dotnet ef migrations script
-- of it before the generated migrations replaced it. JobsMigrationTests upgrades a database made by this.
CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;
CREATE TABLE images (
    "Id" uuid PRIMARY KEY,
    "UserId" uuid NOT NULL,
    "OriginalName" varchar(255) NOT NULL,
    "OriginalKey" varchar(512) NOT NULL,
    "ContentType" varchar(64) NOT NULL,
    "OriginalBytes" bigint NOT NULL,
    "OriginalFormat" varchar(16) NULL,
    "Width" integer NULL,
    "Height" integer NULL,
    "Status" varchar(16) NOT NULL,
    "Error" varchar(1000) NULL,
    "Progress" integer NOT NULL,
    "Enhance" boolean NOT NULL,
    "Formats" text[] NOT NULL,
    "CurrentJobId" uuid NULL,
    "Variants" jsonb NOT NULL,
    "Enhanced" jsonb NOT NULL,
    "Placeholder" varchar(128) NULL,
    "DominantColor" varchar(16) NULL,
    "StoredBytes" bigint NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL
);
CREATE INDEX "IX_images_UserId_CreatedAt_Id" ON images ("UserId", "CreatedAt" DESC, "Id" DESC);
CREATE INDEX "IX_images_Status_UpdatedAt" ON images ("Status", "UpdatedAt");

CREATE TABLE image_jobs (
    "Id" uuid PRIMARY KEY,
    "ImageId" uuid NOT NULL REFERENCES images ("Id") ON DELETE CASCADE,
    "UserId" uuid NOT NULL,
    "Status" varchar(16) NOT NULL,
    "Enhance" boolean NOT NULL,
    "Formats" text[] NOT NULL,
    "Attempts" integer NOT NULL,
    "Requeues" integer NOT NULL,
    "Worker" varchar(200) NULL,
    "Stage" varchar(32) NULL,
    "Progress" integer NOT NULL,
    "Error" varchar(1000) NULL,
    "QueuedAt" timestamp with time zone NOT NULL,
    "StartedAt" timestamp with time zone NULL,
    "FinishedAt" timestamp with time zone NULL,
    "LastHeartbeatAt" timestamp with time zone NULL
);
CREATE INDEX "IX_image_jobs_ImageId" ON image_jobs ("ImageId");
CREATE INDEX "IX_image_jobs_Status_LastHeartbeatAt" ON image_jobs ("Status", "LastHeartbeatAt");

CREATE TABLE outbox_messages (
    "Id" uuid PRIMARY KEY,
    "Type" varchar(64) NOT NULL,
    "RoutingKey" varchar(128) NOT NULL,
    "Payload" jsonb NOT NULL,
    "TraceParent" varchar(128) NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "SentAt" timestamp with time zone NULL,
    "Attempts" integer NOT NULL,
    "NextAttemptAt" timestamp with time zone NOT NULL,
    "LastError" varchar(1000) NULL
);
CREATE INDEX "IX_outbox_messages_NextAttemptAt" ON outbox_messages ("NextAttemptAt") WHERE "SentAt" IS NULL;

CREATE TABLE idempotency_keys (
    "UserId" uuid NOT NULL,
    "Key" varchar(255) NOT NULL,
    "Operation" varchar(64) NOT NULL,
    "StatusCode" integer NULL,
    "ResponseBody" jsonb NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    PRIMARY KEY ("UserId", "Key")
);
CREATE INDEX "IX_idempotency_keys_CreatedAt" ON idempotency_keys ("CreatedAt");

CREATE TABLE upload_counters (
    "UserId" uuid NOT NULL,
    "Month" date NOT NULL,
    "Count" integer NOT NULL,
    PRIMARY KEY ("UserId", "Month")
);

CREATE TABLE storage_deletions (
    "Id" uuid PRIMARY KEY,
    "Keys" text[] NOT NULL,
    "Attempts" integer NOT NULL,
    "NextAttemptAt" timestamp with time zone NOT NULL,
    "LastError" varchar(1000) NULL,
    "CreatedAt" timestamp with time zone NOT NULL
);
CREATE INDEX "IX_storage_deletions_NextAttemptAt" ON storage_deletions ("NextAttemptAt");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122120000_Initial', '10.0.0');

COMMIT;

