-- What the hand-written migration 20261122040000_Initial ran, with the history row it wrote: dotnet ef migrations script
-- of it before the generated migrations replaced it. AuthMigrationTests upgrades a database made by this.
CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;
CREATE TABLE users (
    "Id" uuid NOT NULL,
    "Email" character varying(254) NOT NULL,
    "DisplayName" character varying(100),
    "PasswordHash" character varying(256) NOT NULL,
    "Role" character varying(16) NOT NULL,
    "Tier" character varying(16) NOT NULL,
    "IsActive" boolean NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "LastLoginAt" timestamp with time zone,
    CONSTRAINT "PK_users" PRIMARY KEY ("Id")
);

CREATE TABLE signing_keys (
    "Kid" character varying(64) NOT NULL,
    "PrivateKey" bytea NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_signing_keys" PRIMARY KEY ("Kid")
);

CREATE TABLE refresh_token_families (
    "Id" uuid NOT NULL,
    "UserId" uuid NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "RevokedAt" timestamp with time zone,
    "RevokedReason" character varying(32),
    CONSTRAINT "PK_refresh_token_families" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_refresh_token_families_users_UserId" FOREIGN KEY ("UserId") REFERENCES users ("Id") ON DELETE CASCADE
);

CREATE TABLE refresh_tokens (
    "Id" uuid NOT NULL,
    "FamilyId" uuid NOT NULL,
    "TokenHash" bytea NOT NULL,
    "CreatedAt" timestamp with time zone NOT NULL,
    "ExpiresAt" timestamp with time zone NOT NULL,
    "UsedAt" timestamp with time zone,
    CONSTRAINT "PK_refresh_tokens" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_refresh_tokens_refresh_token_families_FamilyId" FOREIGN KEY ("FamilyId") REFERENCES refresh_token_families ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_users_Email" ON users ("Email");

CREATE INDEX "IX_refresh_token_families_UserId" ON refresh_token_families ("UserId");

CREATE INDEX "IX_refresh_tokens_FamilyId" ON refresh_tokens ("FamilyId");

CREATE UNIQUE INDEX "IX_refresh_tokens_TokenHash" ON refresh_tokens ("TokenHash");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122040000_Initial', '10.0.0');

COMMIT;

