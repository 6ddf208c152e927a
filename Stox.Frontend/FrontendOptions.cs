using System.ComponentModel.DataAnnotations;

namespace Stox.Frontend;

/// <summary>Settings of the web app (section <c>Frontend</c>).</summary>
public sealed class FrontendOptions
{
    public const string SectionName = "Frontend";

    /// <summary>How long a browser session lasts without use; matches auth's refresh-token lifetime.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Access tokens this close to expiry are refreshed before they are used.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Files larger than this go straight to S3 with a pre-signed PUT instead of through the web app. Kept under the
    /// gateway's body limit for ordinary (non-upload) routes, 1 MB by default, which the app's routes fall under.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long DirectUploadThresholdBytes { get; set; } = 768 * 1024;

    /// <summary>The largest file the upload form accepts (jobs enforces its own limit too).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Images per gallery page (jobs allows 1-100).</summary>
    [Range(1, 100)]
    public int GalleryPageSize { get; set; } = 30;

    /// <summary>Credit transactions per page of the account page (jobs allows 1-100).</summary>
    [Range(1, 100)]
    public int TransactionsPageSize { get; set; } = 10;

    /// <summary>
    /// Origins the browser may connect to besides the app itself (CSP connect-src): the S3 endpoint that receives
    /// pre-signed uploads. Empty means any http(s) origin, since the storage endpoint is only known to jobs.
    /// </summary>
    public string[] ConnectSources { get; set; } = [];

    /// <summary>Proxies (addresses or CIDR networks) whose X-Forwarded-For is believed, besides loopback.</summary>
    public string[] KnownProxies { get; set; } = [];
}
