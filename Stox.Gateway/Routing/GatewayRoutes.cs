namespace Stox.Gateway.Routing;

/// <summary>Which rate limit applies to a route.</summary>
public enum RateLimitPolicy
{
    Anonymous,
    Authenticated,
    Credentials,
    Uploads,
}

/// <summary>One public route: the paths it matches, the service behind it, and how the edge treats it.</summary>
public sealed record GatewayRoute(
    string Id,
    string Path,
    string Service,
    RateLimitPolicy RateLimit,
    bool RequiresAuthentication = false,
    bool IsUpload = false,
    string[]? Methods = null,
    int Order = 0);

/// <summary>The public surface of Stox: every path the outside world may reach, and where it goes.</summary>
public static class GatewayRoutes
{
    public static readonly IReadOnlyList<GatewayRoute> All =
    [
        new("auth-credentials", "/api/auth/{action:regex(^(login|register)$)}", "auth", RateLimitPolicy.Credentials, Methods: ["POST"]),
        new("auth", "/api/auth/{**rest}", "auth", RateLimitPolicy.Anonymous),
        new("account", "/api/account/{**rest}", "auth", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        new("admin", "/api/admin/{**rest}", "auth", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        new("well-known", "/.well-known/{**rest}", "auth", RateLimitPolicy.Anonymous),
        new("images-upload", "/api/images/{upload:regex(^(uploads)?$)}", "jobs", RateLimitPolicy.Uploads, RequiresAuthentication: true, IsUpload: true, Methods: ["POST"]),
        new("images", "/api/images/{**rest}", "jobs", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        new("jobs", "/api/jobs/{**rest}", "jobs", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        // Everything else is the web app; it comes last so that any route above wins.
        new("frontend", "/{**rest}", "frontend", RateLimitPolicy.Anonymous, Order: 1000),
    ];

    public static IEnumerable<string> Services => All.Select(r => r.Service).Distinct();

    public static GatewayRoute? Find(string id) => All.FirstOrDefault(r => r.Id == id);
}
