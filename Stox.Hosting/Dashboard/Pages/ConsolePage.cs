using System.Text;
using Stox.Hosting.Orchestration;
using static Stox.Hosting.Dashboard.Html;

namespace Stox.Hosting.Dashboard.Pages;

/// <summary>A resource's console output: what is in its ring now, then live lines; searchable, colours rendered.</summary>
internal static class ConsolePage
{
    public static string Render(DashboardServer server, string? resource)
    {
        var sources = Sources(server);
        resource = resource is not null && sources.Contains(resource) ? resource : sources.FirstOrDefault();
        var html = new StringBuilder();
        html.Append("<h1>Console logs</h1><form class=\"filters\" method=\"get\" action=\"/console\"><select name=\"resource\" onchange=\"this.form.submit()\">");
        foreach (var source in sources)
        {
            html.Append("<option").Append(source == resource ? " selected" : string.Empty).Append('>').Append(E(source)).Append("</option>");
        }

        html.Append("</select><input id=\"search\" type=\"search\" placeholder=\"Search the output\" size=\"40\">")
            .Append("<label><input id=\"follow\" type=\"checkbox\" checked> Follow</label></form>");
        if (resource is null)
        {
            return Layout.Page("Console", "Console", html.Append("<div class=\"empty\">No output yet.</div>").ToString());
        }

        html.Append("<div id=\"console\" class=\"console\" data-resource=\"").Append(E(resource)).Append("\">");
        foreach (var line in LinesOf(server, resource))
        {
            html.Append(Line(line));
        }

        html.Append("</div>");
        return Layout.Page("Console · " + resource, "Console", html.ToString());
    }

    /// <summary>The resources and, for replicated projects and multi-process servers, each process's own output.</summary>
    public static List<string> Sources(DashboardServer server)
    {
        var names = server.Context.Notifications.Snapshots.Select(s => s.Name).ToList();
        var sources = new List<string>(names);
        foreach (var source in server.Context.Logs.Sources.Order(StringComparer.Ordinal))
        {
            if (!sources.Contains(source))
            {
                sources.Add(source);
            }
        }

        return sources;
    }

    /// <summary>A resource's lines, including those of its replicas (logged as name-0, name-1, ...).</summary>
    public static IEnumerable<LogLine> LinesOf(DashboardServer server, string resource)
    {
        var logs = server.Context.Logs;
        var related = logs.Sources.Where(s => s == resource || IsReplicaOf(s, resource)).ToList();
        return related.Count <= 1
            ? logs.GetLines(resource)
            : related.SelectMany(s => logs.GetLines(s)).OrderBy(l => l.Timestamp);
    }

    public static bool IsReplicaOf(string source, string resource) =>
        source.Length > resource.Length + 1 && source.StartsWith(resource, StringComparison.Ordinal) && source[resource.Length] == '-' &&
        source.AsSpan(resource.Length + 1).IndexOfAnyExceptInRange('0', '9') < 0;

    public static string Line(LogLine line) =>
        "<div class=\"line" + (line.IsError ? " stderr" : string.Empty) + "\"><span class=\"ts\">" + Time(line.Timestamp) + "</span>"
        + (line.Resource.Contains('-', StringComparison.Ordinal) ? "<span class=\"ts\">" + E(line.Resource) + "</span>" : string.Empty)
        + AnsiText.ToHtml(line.Text) + "</div>";
}
