using System.Diagnostics;

namespace Stox.Gateway.Edge;

/// <summary>
/// Gives every request an X-Request-Id: the client's own if it is sane, else the trace id. It is echoed to
/// the client and forwarded to the services; W3C traceparent is continued by the proxy itself.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Request-Id";

    public Task InvokeAsync(HttpContext context)
    {
        var requestId = context.Request.Headers[HeaderName].ToString();
        if (!IsSane(requestId))
        {
            requestId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
            context.Request.Headers[HeaderName] = requestId;
        }

        Activity.Current?.SetTag("http.request.id", requestId);
        context.Response.Headers[HeaderName] = requestId;
        return next(context);
    }

    private static bool IsSane(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
