using System.Globalization;
using System.Text;
using Stox.Hosting.Dashboard.Telemetry;
using static Stox.Hosting.Dashboard.Html;

namespace Stox.Hosting.Dashboard.Pages;

/// <summary>Traces grouped by trace id, and one trace as a waterfall across the services that handled it.</summary>
internal static class TracesPage
{
    public static string RenderList(DashboardServer server, string? resource)
    {
        var html = new StringBuilder("<h1>Traces</h1><form class=\"filters\" method=\"get\" action=\"/traces\">");
        LogsPage.AppendResourceSelect(html, server, resource);
        html.Append("<label><input id=\"pause\" type=\"checkbox\"> Pause</label></form><div class=\"panel\" data-live=\"telemetry\">")
            .Append(List(server, resource)).Append("</div>");
        return Layout.Page("Traces", "Traces", html.ToString());
    }

    public static string List(DashboardServer server, string? resource)
    {
        var traces = server.Telemetry.GetTraces(string.IsNullOrEmpty(resource) ? null : resource);
        if (traces.Count == 0)
        {
            return "<div class=\"empty\">No traces yet. Send a request to a service: its spans arrive within a second or two.</div>";
        }

        var html = new StringBuilder("<table class=\"grid\" id=\"traces\"><thead><tr><th>Time</th><th>Name</th><th>Services</th><th>Spans</th><th>Duration</th><th>Trace id</th></tr></thead><tbody>");
        foreach (var trace in traces)
        {
            html.Append("<tr><td class=\"nowrap mono\">").Append(Time(trace.Start)).Append("</td><td><a href=\"/traces/").Append(E(trace.TraceId)).Append("\">")
                .Append(E(trace.RootSource.Service)).Append(": ").Append(E(trace.RootName)).Append("</a>");
            if (trace.ErrorCount > 0)
            {
                html.Append(" <span class=\"badge err\">").Append(trace.ErrorCount).Append(trace.ErrorCount == 1 ? " error" : " errors").Append("</span>");
            }

            html.Append("</td><td>");
            foreach (var service in trace.Services)
            {
                html.Append("<span class=\"badge\" style=\"background:").Append(ColorOf(service)).Append(";color:#fff\">").Append(E(service)).Append("</span> ");
            }

            html.Append("</td><td>").Append(trace.SpanCount).Append("</td><td class=\"nowrap\">").Append(Duration(trace.Duration))
                .Append("</td><td class=\"mono muted\">").Append(E(trace.TraceId[..Math.Min(12, trace.TraceId.Length)])).Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string RenderTrace(DashboardServer server, string traceId) => Layout.Page(
        "Trace " + traceId,
        "Traces",
        "<h1>Trace <span class=\"mono\">" + E(traceId) + "</span></h1><div data-live=\"telemetry\">" + Waterfall(server, traceId) + "</div>");

    public static string Waterfall(DashboardServer server, string traceId)
    {
        var spans = server.Telemetry.GetTrace(traceId);
        if (spans.Count == 0)
        {
            return "<div class=\"panel\"><div class=\"empty\">No span of this trace is kept (it may have been overwritten by newer ones). <a href=\"/traces\">All traces</a></div></div>";
        }

        var start = spans.Min(s => s.Start);
        var end = spans.Max(s => s.End);
        var total = Math.Max((end - start).TotalMilliseconds, 0.001);
        var services = spans.Select(s => s.Source.Service).Distinct(StringComparer.Ordinal).ToList();
        var html = new StringBuilder();
        html.Append("<p class=\"muted\">").Append(spans.Count).Append(" spans · ").Append(Duration(end - start)).Append(" · started ").Append(Time(start)).Append(" · services: ");
        foreach (var service in services)
        {
            html.Append("<span class=\"badge\" style=\"background:").Append(ColorOf(service)).Append(";color:#fff\">").Append(E(service)).Append("</span> ");
        }

        html.Append("</p><div class=\"panel waterfall\" id=\"waterfall\">");
        foreach (var (span, depth) in Ordered(spans))
        {
            var left = (span.Start - start).TotalMilliseconds / total * 100;
            var width = Math.Max(span.Duration.TotalMilliseconds / total * 100, 0.2);
            var color = ColorOf(span.Source.Service);
            html.Append("<details class=\"span\" data-service=\"").Append(E(span.Source.Service)).Append("\" id=\"span-").Append(E(span.SpanId)).Append("\"><summary class=\"row\" style=\"list-style:none\">")
                .Append("<div class=\"label\" title=\"").Append(E(span.Source.Service + " " + span.Name)).Append("\" style=\"padding-left:").Append(10 + (depth * 16)).Append("px\"><span class=\"dot\" style=\"background:").Append(color).Append("\"></span>")
                .Append(span.IsError ? "<span class=\"badge err\">error</span> " : string.Empty)
                .Append("<strong>").Append(E(span.Source.Service)).Append("</strong> ").Append(E(span.Name)).Append("</div><div class=\"track\">")
                .Append("<div class=\"bar").Append(span.IsError ? " error" : string.Empty).Append("\" style=\"background:").Append(color).Append(";left:")
                .Append(Pct(left)).Append(";width:").Append(Pct(width)).Append("\"></div><span class=\"dur\" style=\"")

                // The duration goes after the bar, or before it when the bar ends near the right edge.
                .Append(left + width > 85 ? "right:calc(" + Pct(100 - left) + " + 6px)" : "left:calc(" + Pct(left + width) + " + 6px)").Append("\">")
                .Append(Duration(span.Duration)).Append("</span></div></summary><div class=\"details\">")
                .Append("<p class=\"muted\">").Append(span.Kind).Append(" span · ").Append(E(span.Scope)).Append(" · instance ").Append(E(span.Source.Instance))
                .Append(" · span <span class=\"mono\">").Append(E(span.SpanId)).Append("</span>")
                .Append(span.ParentSpanId is null ? string.Empty : " · parent <span class=\"mono\">" + E(span.ParentSpanId) + "</span>").Append("</p>");
            if (span.StatusMessage is { } status)
            {
                html.Append("<p class=\"error-text\">").Append(E(status)).Append("</p>");
            }

            html.AppendAttributes(span.Attributes);
            foreach (var spanEvent in span.Events)
            {
                html.Append("<p><strong>").Append(E(spanEvent.Name)).Append("</strong> <span class=\"muted\">at ").Append(Time(spanEvent.Timestamp)).Append("</span></p>").AppendAttributes(spanEvent.Attributes);
            }

            html.Append("</div></details>");
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>Parents before children, siblings by start time; spans whose parent is missing start a new root.</summary>
    internal static List<(SpanEntry Span, int Depth)> Ordered(IReadOnlyList<SpanEntry> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans.Where(s => s.ParentSpanId is not null && ids.Contains(s.ParentSpanId))
            .GroupBy(s => s.ParentSpanId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Start).ToList(), StringComparer.Ordinal);
        var result = new List<(SpanEntry, int)>(spans.Count);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        void Visit(SpanEntry span, int depth)
        {
            if (!visited.Add(span.SpanId))
            {
                return;
            }

            result.Add((span, depth));
            foreach (var child in children.GetValueOrDefault(span.SpanId) ?? [])
            {
                Visit(child, Math.Min(depth + 1, 20));
            }
        }

        foreach (var root in spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).OrderBy(s => s.Start))
        {
            Visit(root, 0);
        }

        // A cycle of bad parent ids would leave spans unvisited: show them anyway.
        foreach (var span in spans.Where(s => !visited.Contains(s.SpanId)).OrderBy(s => s.Start))
        {
            Visit(span, 0);
        }

        return result;
    }

    private static string Pct(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + "%";
}
