using System.Text;
using static Stox.Hosting.Dashboard.Html;

namespace Stox.Hosting.Dashboard.Pages;

internal static class Layout
{
    private static readonly (string Href, string Title)[] Nav =
    [
        ("/", "Resources"),
        ("/console", "Console"),
        ("/logs", "Structured logs"),
        ("/traces", "Traces"),
        ("/metrics", "Metrics"),
    ];

    public static string Page(string title, string active, string body)
    {
        var html = new StringBuilder(body.Length + 2048);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" · Stox dashboard</title><link rel=\"stylesheet\" href=\"/assets/dashboard.css\"></head><body>")
            .Append("<header><div class=\"brand\">Stox<small>AppHost dashboard</small></div><nav>");
        foreach (var (href, name) in Nav)
        {
            html.Append("<a href=\"").Append(href).Append('"').Append(name == active ? " class=\"active\"" : string.Empty).Append('>').Append(name).Append("</a>");
        }

        html.Append("</nav></header><main>").Append(body).Append("</main><script src=\"/assets/dashboard.js\"></script></body></html>");
        return html.ToString();
    }

    public static string Login(bool failed, string returnUrl)
    {
        var action = "/login" + (returnUrl.Length > 0 ? "?returnUrl=" + Q(returnUrl) : string.Empty);
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in · Stox dashboard</title><link rel=\"stylesheet\" href=\"/assets/dashboard.css\"></head><body>"
            + "<div class=\"login\"><h1>Stox dashboard</h1>"
            + "<p class=\"muted\">Open the link the AppHost printed at start-up, or paste the token from it (the value after <code>?t=</code>).</p>"
            + (failed ? "<p class=\"error-text\">That token is not valid for this AppHost.</p>" : string.Empty)
            + "<form method=\"post\" action=\"" + E(action) + "\"><input name=\"token\" type=\"password\" autocomplete=\"off\" placeholder=\"Token\" autofocus required>"
            + "<button type=\"submit\">Log in</button></form></div></body></html>";
    }
}
