using System.Text;
using static Stox.Hosting.Dashboard.Html;

namespace Stox.Hosting.Dashboard.Pages;

/// <summary>Every resource: type, state, health, uptime, restarts, endpoints, environment, and its commands.</summary>
internal static class ResourcesPage
{
    public static string Render(DashboardServer server) => Layout.Page(
        "Resources",
        "Resources",
        "<h1>Resources</h1><div class=\"panel\" data-live=\"resources\" data-src=\"/\">" + Table(server) + "</div>");

    public static string Table(DashboardServer server)
    {
        var snapshots = server.Context.Notifications.Snapshots
            .OrderBy(s => s.Type == "Project" ? 0 : 1)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        if (snapshots.Count == 0)
        {
            return "<div class=\"empty\">No resources.</div>";
        }

        var html = new StringBuilder();
        html.Append("<table class=\"grid\" id=\"resources\"><thead><tr><th>Name</th><th>Type</th><th>State</th><th>Health</th><th>Uptime</th><th>Restarts</th><th>Endpoints</th><th>Logs</th><th>Actions</th></tr></thead><tbody>");
        foreach (var s in snapshots)
        {
            var running = s.State is KnownResourceStates.Running;
            var busy = s.State is KnownResourceStates.Starting or KnownResourceStates.Stopping or KnownResourceStates.Waiting;
            html.Append("<tr data-resource=\"").Append(E(s.Name)).Append("\">")
                .Append("<td class=\"nowrap\"><span class=\"dot\" style=\"background:").Append(ColorOf(s.Name)).Append("\"></span><strong>").Append(E(s.Name)).Append("</strong></td>")
                .Append("<td>").Append(E(s.Type)).Append("</td>")
                .Append("<td><span class=\"badge ").Append(StateClass(s.State)).Append("\">").Append(E(s.State)).Append("</span>");
            if (s.ExitCode is { } code)
            {
                html.Append(" <span class=\"muted\">exit ").Append(code).Append("</span>");
            }

            html.Append("</td><td><span class=\"badge ").Append(s.Health switch { ResourceHealth.Healthy => "ok", ResourceHealth.Unhealthy => "err", _ => string.Empty })
                .Append("\">").Append(s.Health).Append("</span></td><td class=\"nowrap\">");
            if (running && s.StartedAt is { } started)
            {
                html.Append("<span data-since=\"").Append(Iso(started)).Append("\"></span>");
            }
            else
            {
                html.Append("<span class=\"muted\">-</span>");
            }

            html.Append("</td><td>").Append(s.Restarts).Append("</td><td>");
            foreach (var url in s.Urls)
            {
                var link = url.StartsWith("http", StringComparison.OrdinalIgnoreCase);
                html.Append(link ? $"<a href=\"{E(url)}\" target=\"_blank\" rel=\"noopener\">{E(url)}</a>" : $"<span class=\"mono\">{E(url)}</span>").Append("<br>");
            }

            html.Append("</td><td><a href=\"/console?resource=").Append(Q(s.Name)).Append("\">console</a>");
            if (s.Type == "Project")
            {
                html.Append(" · <a href=\"/logs?resource=").Append(Q(s.Name)).Append("\">logs</a> · <a href=\"/traces?resource=").Append(Q(s.Name)).Append("\">traces</a>");
            }

            html.Append("</td><td class=\"nowrap\">");
            var name = E(s.Name);
            html.Append($"<button data-resource=\"{name}\" data-command=\"stop\" class=\"danger\"{(running ? string.Empty : " disabled")}>Stop</button> ")
                .Append($"<button data-resource=\"{name}\" data-command=\"start\"{(running || busy ? " disabled" : string.Empty)}>Start</button> ")
                .Append($"<button data-resource=\"{name}\" data-command=\"restart\"{(running ? string.Empty : " disabled")}>Restart</button>");
            html.Append("</td></tr>");

            html.Append("<tr class=\"details-row\"><td></td><td colspan=\"8\"><details id=\"env-").Append(name).Append("\"><summary>Details and environment</summary>");
            if (s.Error is { } error)
            {
                html.Append("<p class=\"error-text\">").Append(E(error)).Append("</p>");
            }

            if (s.ProcessIds.Count > 0)
            {
                html.Append("<p class=\"muted\">Process ids: <span class=\"mono\">").Append(E(string.Join(", ", s.ProcessIds))).Append("</span></p>");
            }

            var environments = server.Context.Environments.Get(s.Name);
            if (environments.Count == 0)
            {
                html.Append("<p class=\"muted\">No environment recorded (not started yet, or not a process).</p>");
            }

            foreach (var (process, variables) in environments)
            {
                html.Append("<h2 class=\"mono\">").Append(E(process)).Append("</h2>").AppendAttributes(variables);
            }

            html.Append("</details></td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static string StateClass(string state) => state switch
    {
        KnownResourceStates.Running => "ok",
        KnownResourceStates.Starting or KnownResourceStates.Waiting or KnownResourceStates.Stopping => "info",
        KnownResourceStates.Exited or KnownResourceStates.FailedToStart => "err",
        KnownResourceStates.Finished => "warn",
        _ => string.Empty,
    };
}
