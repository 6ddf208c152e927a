namespace Stox.Gateway.Edge;

/// <summary>
/// Security headers on every response: no sniffing, no framing, a strict referrer policy, HSTS over HTTPS,
/// and a Content-Security-Policy (strict for pages, nothing at all for API responses).
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    // Pages may load their own scripts, styles and images, images from data:/blob: (previews) and https: (pre-signed S3 URLs).
    internal const string PageContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob: https: http:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    internal const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    // Swagger UI's page configures itself with inline script and style.
    internal const string DocsContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()";
            // Services may set a stricter or page-specific policy; otherwise the gateway sets one by kind.
            if (!headers.ContainsKey("Content-Security-Policy"))
            {
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/api/docs", StringComparison.OrdinalIgnoreCase)
                    ? DocsContentSecurityPolicy
                    : IsApi(context.Request.Path) ? ApiContentSecurityPolicy : PageContentSecurityPolicy;
            }

            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/.well-known", StringComparison.OrdinalIgnoreCase);
}
