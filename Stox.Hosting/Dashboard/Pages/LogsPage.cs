using System.Text;
using Stox.Hosting.Dashboard.Telemetry;
using static Stox.Hosting.Dashboard.Html;

namespace Stox.Hosting.Dashboard.Pages;

/// <summary>Structured logs received over OTLP, newest first, filtered by resource, minimum level and text.</summary>
internal static class LogsPage
{
    private const int MaxRows = 500;
    private static readonly string[] Levels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    public static string Render(DashboardServer server, string? resource, string? level, string? search)
    {
        var html = new StringBuilder("<h1>Structured logs</h1><form class=\"filters\" method=\"get\" action=\"/logs\">");
        AppendResourceSelect(html, server, resource);
        html.Append("<select name=\"level\" onchange=\"this.form.submit()\"><option value=\"\">All levels</option>");
        foreach (var name in Levels)
        {
            html.Append("<option value=\"").Append(name).Append('"').Append(name == level ? " selected" : string.Empty).Append('>').Append(name).Append(" and above</option>");
        }

        html.Append("</select><input type=\"search\" name=\"q\" placeholder=\"Filter message\" value=\"").Append(E(search)).Append("\" size=\"36\"><button type=\"submit\">Filter</button>")
            .Append("<label><input id=\"pause\" type=\"checkbox\"> Pause</label></form>")
            .Append("<div class=\"panel\" data-live=\"telemetry\">").Append(Table(server, resource, level, search)).Append("</div>");
        return Layout.Page("Structured logs", "Structured logs", html.ToString());
    }

    public static string Table(DashboardServer server, string? resource, string? level, string? search)
    {
        var minimum = Array.IndexOf(Levels, level ?? string.Empty) switch
        {
            < 0 => 0,
            var index => 1 + (index * 4),
        };
        var entries = server.Telemetry.GetLogs()
            .Where(e => string.IsNullOrEmpty(resource) || e.Source.Service == resource)
            .Where(e => e.SeverityNumber >= minimum)
            .Where(e => string.IsNullOrEmpty(search) || e.Message.Contains(search, StringComparison.OrdinalIgnoreCase) || e.Category.Contains(search, StringComparison.OrdinalIgnoreCase))
            .Reverse()
            .Take(MaxRows)
            .ToList();
        if (entries.Count == 0)
        {
            return "<div class=\"empty\">No structured logs" + (string.IsNullOrEmpty(resource) ? string.Empty : " from " + E(resource)) + " yet. Services send them over OTLP to this AppHost.</div>";
        }

        // Link only traces whose spans are kept (a service may log inside a request it does not trace, such as /health).
        var traces = server.Telemetry.GetSpans().Select(s => s.TraceId).ToHashSet(StringComparer.Ordinal);
        var html = new StringBuilder("<table class=\"grid\" id=\"logs\"><thead><tr><th>Time</th><th>Resource</th><th>Level</th><th>Message</th><th>Trace</th></tr></thead><tbody>");
        foreach (var entry in entries)
        {
            html.Append("<tr><td class=\"nowrap mono\">").Append(Time(entry.Timestamp)).Append("</td><td class=\"nowrap\">").Append(Source(entry.Source)).Append("</td><td><span class=\"badge ")
                .Append(entry.SeverityNumber switch { >= 17 => "err", >= 13 => "warn", >= 9 => "info", _ => string.Empty }).Append("\">").Append(E(entry.Level)).Append("</span></td><td><details><summary style=\"color:inherit\">")
                .Append(E(entry.Message)).Append(" <span class=\"muted\">").Append(E(entry.Category)).Append("</span></summary>")
                .AppendAttributes(entry.Attributes).Append("</details></td><td class=\"mono\">");
            if (entry.TraceId is { } traceId && traces.Contains(traceId))
            {
                html.Append("<a href=\"/traces/").Append(E(traceId)).Append("\">").Append(E(traceId[..Math.Min(8, traceId.Length)])).Append("</a>");
            }

            html.Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string Source(TelemetrySource source) =>
        "<span class=\"dot\" style=\"background:" + ColorOf(source.Service) + "\"></span>" + E(source.Service)
        + (source.Instance != source.Service ? " <span class=\"muted mono\" title=\"" + E(source.Instance) + "\">" + E(ShortInstance(source)) + "</span>" : string.Empty);

    private static string ShortInstance(TelemetrySource source) =>
        source.Instance.StartsWith(source.Service + "-", StringComparison.Ordinal) ? source.Instance[(source.Service.Length + 1)..] : source.Instance;

    public static void AppendResourceSelect(StringBuilder html, DashboardServer server, string? resource)
    {
        var services = server.Context.Notifications.Snapshots.Where(s => s.Type == "Project").Select(s => s.Name)
            .Concat(server.Telemetry.Services()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        html.Append("<select name=\"resource\" onchange=\"this.form.submit()\"><option value=\"\">All resources</option>");
        foreach (var service in services)
        {
            html.Append("<option").Append(service == resource ? " selected" : string.Empty).Append('>').Append(E(service)).Append("</option>");
        }

        html.Append("</select>");
    }
}
