using System.ComponentModel.DataAnnotations;

namespace Stox.Gateway;

/// <summary>The gateway's settings, section "Gateway"; validated at start-up.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Origins allowed to call the API from a browser (CORS). The gateway's own pages need none.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Proxies in front of the gateway whose X-Forwarded-* headers are trusted. Loopback is always trusted.</summary>
    public string[] KnownProxies { get; set; } = [];

    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    [Range(1024, long.MaxValue)]
    public long MaxUploadBodyBytes { get; set; } = 200L * 1024 * 1024;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often destinations are probed on /alive; a failing replica gets no traffic.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    public RateLimitOptions RateLimits { get; set; } = new();
}

/// <summary>Requests allowed per window, per client IP (anonymous) or per user (authenticated).</summary>
public sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1, int.MaxValue)]
    public int Anonymous { get; set; } = 300;

    [Range(1, int.MaxValue)]
    public int Authenticated { get; set; } = 1200;

    /// <summary>Login and registration, per IP: slows down password guessing.</summary>
    [Range(1, int.MaxValue)]
    public int Credentials { get; set; } = 20;

    [Range(1, int.MaxValue)]
    public int Uploads { get; set; } = 120;
}
