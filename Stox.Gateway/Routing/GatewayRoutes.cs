namespace Stox.Gateway.Routing;

/// <summary>Which rate limit applies to a route.</summary>
public enum RateLimitPolicy
{
    Anonymous,
    Authenticated,
    Credentials,
    Uploads,

    /// <summary>Asking for AI pictures: each costs the provider money and time, so fewer per window than other calls.</summary>
    Generations,
}

/// <summary>How the edge bounds a route's requests.</summary>
public enum RouteKind
{
    /// <summary>Small bodies, the ordinary request timeout.</summary>
    Default,

    /// <summary>Large bodies (<see cref="GatewayOptions.MaxUploadBodyBytes"/>) and the upload timeout.</summary>
    Upload,

    /// <summary>A long-lived response (server-sent events): no request timeout, only the idle timeout between bytes.</summary>
    Stream,
}

/// <summary>One public route: the paths it matches, the service behind it, and how the edge treats it.</summary>
public sealed record GatewayRoute(
    string Id,
    string Path,
    string Service,
    RateLimitPolicy RateLimit,
    bool RequiresAuthentication = false,
    RouteKind Kind = RouteKind.Default,
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
        // Credits live in jobs with the ledger; every other admin call is auth's.
        new("admin-credits", "/api/admin/credits/{**rest}", "jobs", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        new("admin", "/api/admin/{**rest}", "auth", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        new("well-known", "/.well-known/{**rest}", "auth", RateLimitPolicy.Anonymous),
        // A multipart upload (one or more files), and the pre-signed flow: the upload counts once, where it is asked for.
        new("images-upload", "/api/images", "jobs", RateLimitPolicy.Uploads, RequiresAuthentication: true, RouteKind.Upload, ["POST"]),
        new("images-upload-url", "/api/images/uploads", "jobs", RateLimitPolicy.Uploads, RequiresAuthentication: true, RouteKind.Upload, ["POST"]),
        new("images-upload-complete", "/api/images/{id}/complete", "jobs", RateLimitPolicy.Authenticated, RequiresAuthentication: true, RouteKind.Upload, ["POST"]),
        new("images-events", "/api/images/events", "jobs", RateLimitPolicy.Authenticated, RequiresAuthentication: true, RouteKind.Stream, ["GET"]),
        new("images", "/api/images/{**rest}", "jobs", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        new("jobs", "/api/jobs/{**rest}", "jobs", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        new("generations-create", "/api/generations", "jobs", RateLimitPolicy.Generations, RequiresAuthentication: true, Methods: ["POST"]),
        new("generations", "/api/generations/{**rest}", "jobs", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        // Stripe calls this without a token: the signature is checked by jobs, which holds the secret.
        new("credits-webhooks", "/api/credits/webhooks/{**rest}", "jobs", RateLimitPolicy.Anonymous, Methods: ["POST"]),
        new("credits", "/api/credits/{**rest}", "jobs", RateLimitPolicy.Authenticated, RequiresAuthentication: true),
        // The web app relays the image events to the browser: a stream like the one above.
        new("frontend-events", "/bff/events", "frontend", RateLimitPolicy.Anonymous, Kind: RouteKind.Stream, Methods: ["GET"]),
        // Everything else is the web app; it comes last so that any route above wins.
        new("frontend", "/{**rest}", "frontend", RateLimitPolicy.Anonymous, Order: 1000),
    ];

    public static IEnumerable<string> Services => All.Select(r => r.Service).Distinct();

    public static GatewayRoute? Find(string id) => All.FirstOrDefault(r => r.Id == id);

    /// <summary>The literal start of the route's path, before its first parameter ("/api/images/{id}/complete" -> "/api/images").</summary>
    public static string LiteralPrefix(this GatewayRoute route)
    {
        var parameter = route.Path.IndexOf('{', StringComparison.Ordinal);
        return (parameter < 0 ? route.Path : route.Path[..parameter]).TrimEnd('/');
    }
}
