using Microsoft.Extensions.Options;

namespace Stox.Frontend.Extensions;

/// <summary>
/// The pages' own Content-Security-Policy (the gateway keeps a service's policy). Stricter than a default in what
/// matters, scripts only from this app and no inline script, and it lets the browser PUT uploads to S3 and set
/// inline style attributes (progress widths, placeholder colours), which carry no script.
/// </summary>
internal sealed class ContentSecurityPolicyMiddleware(RequestDelegate next, IOptions<FrontendOptions> options)
{
    private readonly string _policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; " +
        "img-src 'self' data: blob: https: http:; media-src 'self' blob:; " +
        $"connect-src 'self' {(options.Value.ConnectSources.Length == 0 ? "https: http:" : string.Join(' ', options.Value.ConnectSources))}; " +
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var type = context.Response.ContentType;
            if (type is not null && type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers.ContentSecurityPolicy = _policy;
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
