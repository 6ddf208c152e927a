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

    /// <summary>Largest request body on ordinary routes; above it the gateway answers 413.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Largest body of one upload request (<c>POST /api/images</c>, which may carry several files, and the pre-signed
    /// upload calls). Jobs enforces its own limit per file (50 MB by default); this must stay above it.
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long MaxUploadBodyBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Whole-request time limit on ordinary routes; past it the gateway answers 504.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whole-request time limit on upload routes (the body arrives at the client's pace).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Longest silence allowed between two reads or writes to a replica, on every route. It is the only limit on a
    /// stream (<c>GET /api/images/events</c>), so a stream must send something (a comment line will do) more often.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

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

    /// <summary><c>POST /api/generations</c>, per user: each request holds a provider for up to a minute.</summary>
    [Range(1, int.MaxValue)]
    public int Generations { get; set; } = 10;
}
