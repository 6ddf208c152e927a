using System.ComponentModel.DataAnnotations;

namespace Stox.ServiceDefaults.Authentication;

/// <summary>
/// How a service validates Stox access tokens (configuration section <c>Authentication:Stox</c>).
/// The defaults match what the auth service issues.
/// </summary>
public sealed class StoxJwtOptions
{
    public const string SectionName = "Authentication:Stox";

    /// <summary>The <c>iss</c> every token must carry.</summary>
    [Required]
    public string Issuer { get; set; } = StoxJwtDefaults.Issuer;

    /// <summary>The <c>aud</c> every token must carry (or contain, when it is an array).</summary>
    [Required]
    public string Audience { get; set; } = StoxJwtDefaults.Audience;

    /// <summary>Where the public keys are published; <c>http://auth</c> resolves through service discovery.</summary>
    [Required]
    public Uri JwksUri { get; set; } = new("http://auth/.well-known/jwks.json");

    /// <summary>Tolerance on <c>exp</c>/<c>nbf</c> for clocks that disagree a little.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a fetched key set is used before it is fetched again (the ConfigurationManager's
    /// <c>AutomaticRefreshInterval</c>, which adds up to an hour of jitter; its minimum is 5 minutes).
    /// </summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A token naming an unknown <c>kid</c> (after a key rotation) makes the keys be fetched again, at most this often
    /// (the ConfigurationManager's <c>RefreshInterval</c>, at least 1 s): protects auth from floods of forged kids.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan JwksMinimumRefetchInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The token contract shared by the auth service and every validator.</summary>
public static class StoxJwtDefaults
{
    public const string AuthenticationScheme = "Bearer";
    public const string Issuer = "stox-auth";
    public const string Audience = "stox-api";
    public const string Algorithm = "RS256";
    public const string TokenType = "at+jwt";

    /// <summary>Claim names (JWT names are kept as they are: no mapping to the long XML claim types).</summary>
    public static class Claims
    {
        public const string Subject = "sub";
        public const string Email = "email";
        public const string Role = "role";
        public const string Tier = "tier";

        /// <summary>Uploads allowed per calendar month (UTC) for the user's tier; auth owns the numbers, jobs enforces them.</summary>
        public const string UploadQuota = "upload_quota";
        public const string TokenId = "jti";
        public const string IssuedAt = "iat";
        public const string Expires = "exp";
    }
}
