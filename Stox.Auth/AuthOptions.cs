using System.ComponentModel.DataAnnotations;

namespace Stox.Auth;

/// <summary>Settings of the auth service (configuration section <c>Auth</c>), validated at start-up.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>The <c>iss</c> of every access token.</summary>
    [Required]
    public string Issuer { get; set; } = Stox.ServiceDefaults.Authentication.StoxJwtDefaults.Issuer;

    /// <summary>The <c>aud</c> of every access token.</summary>
    [Required]
    public string Audience { get; set; } = Stox.ServiceDefaults.Authentication.StoxJwtDefaults.Audience;

    /// <summary>Public base URL for the OpenID discovery document (jwks_uri); defaults to the request's own origin.</summary>
    public Uri? PublicBaseUrl { get; set; }

    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>PBKDF2-HMAC-SHA256 iterations for new hashes; older hashes are upgraded at the next login.</summary>
    [Range(1_000, 10_000_000)]
    public int PasswordIterations { get; set; } = 600_000;

    /// <summary>The account registered with this email becomes an admin (the first admin has to come from somewhere).</summary>
    [EmailAddress]
    public string? BootstrapAdminEmail { get; set; }

    /// <summary>How often each replica re-reads the signing keys (to see a rotation made by another replica).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SigningKeyReloadInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Networks of reverse proxies whose X-Forwarded-For is believed (CIDR); loopback is always trusted.</summary>
    public List<string> KnownProxyNetworks { get; set; } = [];

    /// <summary>How long the usage call to jobs may take before the usage is answered without counters.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan UsageTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Monthly upload quota per tier (the jobs service enforces it).</summary>
    public Dictionary<string, int> MonthlyUploadQuotas { get; set; } = new(StringComparer.Ordinal)
    {
        [Tiers.Free] = 50,
        [Tiers.Premium] = 1_000,
        [Tiers.Pro] = 20_000,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var tier in Tiers.All)
        {
            if (!MonthlyUploadQuotas.TryGetValue(tier, out var quota) || quota < 0)
            {
                yield return new ValidationResult($"Auth:MonthlyUploadQuotas:{tier} must be set and not negative.", [nameof(MonthlyUploadQuotas)]);
            }
        }

        foreach (var network in KnownProxyNetworks)
        {
            if (!System.Net.IPNetwork.TryParse(network, out _))
            {
                yield return new ValidationResult($"Auth:KnownProxyNetworks: '{network}' is not a CIDR network.", [nameof(KnownProxyNetworks)]);
            }
        }

        foreach (var result in RateLimits.Validate())
        {
            yield return result;
        }
    }
}

/// <summary>Redis-backed limits (shared by every replica). A limit of 0 switches that limit off.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Failed logins (or password checks) per account within <see cref="FailureWindow"/>.</summary>
    public int FailuresPerAccount { get; set; } = 5;

    /// <summary>Failed logins per client IP within <see cref="FailureWindow"/>.</summary>
    public int FailuresPerIp { get; set; } = 20;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Registration attempts per client IP within <see cref="RegistrationWindow"/>.</summary>
    public int RegistrationsPerIp { get; set; } = 10;

    public TimeSpan RegistrationWindow { get; set; } = TimeSpan.FromHours(1);

    internal IEnumerable<ValidationResult> Validate()
    {
        if (FailuresPerAccount < 0 || FailuresPerIp < 0 || RegistrationsPerIp < 0)
        {
            yield return new ValidationResult("Auth:RateLimits: limits cannot be negative.");
        }

        if (FailureWindow < TimeSpan.FromSeconds(1) || RegistrationWindow < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Auth:RateLimits: windows must be at least one second.");
        }
    }
}

public static class Tiers
{
    public const string Free = "free";
    public const string Premium = "premium";
    public const string Pro = "pro";

    public static readonly IReadOnlyList<string> All = [Free, Premium, Pro];
}

public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [User, Admin];
}
