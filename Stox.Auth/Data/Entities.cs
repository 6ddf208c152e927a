namespace Stox.Auth.Data;

public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>Normalised: trimmed, lower case; unique.</summary>
    public required string Email { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>Self-describing PBKDF2 hash (<see cref="Passwords.PasswordHasher"/>).</summary>
    public required string PasswordHash { get; set; }

    public string Role { get; set; } = Roles.User;

    public string Tier { get; set; } = Tiers.Free;

    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastLoginAt { get; set; }
}

/// <summary>One login session: the chain of refresh tokens rotated from one login. Revoking it ends the session.</summary>
public sealed class RefreshTokenFamily
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>logout, logout-all, reuse, password-change, deactivated.</summary>
    public string? RevokedReason { get; set; }
}

/// <summary>A refresh token, stored only as its SHA-256; single use.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }

    public Guid FamilyId { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>An RS256 signing key. The newest signs; the newest two are published.</summary>
public sealed class SigningKey
{
    public required string Kid { get; set; }

    /// <summary>PKCS#8 private key.</summary>
    public required byte[] PrivateKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
