using System.Globalization;
using System.Text;
using Stox.Hosting.Dashboard.Telemetry;
using static Stox.Hosting.Dashboard.Html;

namespace Stox.Hosting.Dashboard.Pages;

/// <summary>
/// Key figures per resource over the last 30 s (request rate, latency, errors from <c>http.server.request.duration</c>;
/// queue depth and jobs/s from any instrument named so), then every instrument the resource exports.
/// </summary>
internal static class MetricsPage
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    public static string Render(DashboardServer server, string? resource)
    {
        var html = new StringBuilder("<h1>Metrics</h1><form class=\"filters\" method=\"get\" action=\"/metrics\">");
        LogsPage.AppendResourceSelect(html, server, resource);
        html.Append("<label><input id=\"pause\" type=\"checkbox\"> Pause</label></form><div data-live=\"telemetry\">").Append(Body(server, resource)).Append("</div>");
        return Layout.Page("Metrics", "Metrics", html.ToString());
    }

    public static string Body(DashboardServer server, string? resource)
    {
        var all = server.Telemetry.GetSeries();
        var services = all.Select(s => s.Source.Service).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Where(s => string.IsNullOrEmpty(resource) || s == resource).ToList();
        if (services.Count == 0)
        {
            return "<div class=\"panel\"><div class=\"empty\">No metrics yet. Services export them over OTLP every second in development.</div></div>";
        }

        var html = new StringBuilder();
        foreach (var service in services)
        {
            var series = all.Where(s => s.Source.Service == service).ToList();
            var k = KeyFigures(series);
            html.Append("<h2 id=\"metrics-").Append(E(service)).Append("\"><span class=\"dot\" style=\"background:").Append(ColorOf(service)).Append("\"></span>").Append(E(service)).Append("</h2><div class=\"cards\">")
                .Append(Card("Requests/s", k.RequestRate is { } r ? Num(r) : "-"))
                .Append(Card("Mean latency", k.MeanLatency is { } l ? Num(l * 1000, "0.#") + " ms" : "-"))
                .Append(Card("p95 latency", k.P95Latency is { } p ? "≤ " + Num(p * 1000, "0.#") + " ms" : "-"))
                .Append(Card("Errors/s (5xx)", k.ErrorRate is { } e ? Num(e) : "-"));
            if (k.QueueDepth is { } q)
            {
                html.Append(Card("Queue depth", Num(q, "0")));
            }

            if (k.JobRate is { } j)
            {
                html.Append(Card("Jobs/s", Num(j)));
            }

            html.Append("</div><details><summary>All instruments (").Append(series.Select(s => s.Name).Distinct().Count()).Append(")</summary><div class=\"panel\"><table class=\"grid\"><thead><tr><th>Instrument</th><th>Kind</th><th>Unit</th><th>Series</th><th>Current</th></tr></thead><tbody>");
            foreach (var instrument in series.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = instrument.First();
                html.Append("<tr><td class=\"mono\" title=\"").Append(E(first.Description)).Append("\">").Append(E(instrument.Key)).Append("</td><td>")
                    .Append(first.Kind).Append(first.IsMonotonic && first.Kind == MetricKind.Sum ? " (counter)" : string.Empty).Append("</td><td>").Append(E(first.Unit)).Append("</td><td>")
                    .Append(instrument.Count()).Append("</td><td class=\"mono\">").Append(E(Current(instrument.ToList()))).Append("</td></tr>");
            }

            html.Append("</tbody></table></div></details>");
        }

        return html.ToString();
    }

    private static string Card(string label, string value) =>
        "<div class=\"card\"><div class=\"value\">" + E(value) + "</div><div class=\"label\">" + E(label) + "</div></div>";

    internal sealed record Figures(double? RequestRate, double? MeanLatency, double? P95Latency, double? ErrorRate, double? QueueDepth, double? JobRate);

    internal static Figures KeyFigures(IReadOnlyList<MetricSeries> series)
    {
        var requests = series.Where(s => s.Kind == MetricKind.Histogram && s.Name == "http.server.request.duration").ToList();
        double? rate = null, mean = null, p95 = null, errors = null;
        if (requests.Count > 0)
        {
            var deltas = requests.Select(s => (Series: s, Delta: HistogramDelta(s))).Where(d => d.Delta is not null).ToList();
            if (deltas.Count > 0)
            {
                var seconds = deltas.Max(d => d.Delta!.Value.Seconds);
                var count = deltas.Sum(d => (double)d.Delta!.Value.Count);
                var sum = deltas.Sum(d => d.Delta!.Value.Sum);
                rate = seconds > 0 ? count / seconds : null;
                mean = count > 0 ? sum / count : null;
                p95 = Percentile(deltas.Select(d => d.Delta!.Value).ToList(), 0.95);
                errors = seconds > 0
                    ? deltas.Where(d => IsServerError(d.Series)).Sum(d => (double)d.Delta!.Value.Count) / seconds
                    : null;
            }
        }

        // The app's own instruments only: the runtime's thread-pool and Kestrel's connection queues are not job queues.
        var queues = series.Where(s => s.Name.Contains("queue", StringComparison.OrdinalIgnoreCase) && !IsPlatformInstrument(s.Name) && !(s.Kind == MetricKind.Sum && s.IsMonotonic) && s.Kind != MetricKind.Histogram).ToList();
        double? queueDepth = queues.Count > 0 ? queues.Sum(s => s.Points.LastOrDefault()?.Value ?? 0) : null;
        var jobs = series.Where(s => s.Name.Contains("job", StringComparison.OrdinalIgnoreCase) && !IsPlatformInstrument(s.Name) && s.Kind == MetricKind.Sum && s.IsMonotonic).ToList();
        double? jobRate = jobs.Count > 0 ? jobs.Sum(s => CounterRate(s) ?? 0) : null;
        return new Figures(rate, mean, p95, errors, queueDepth, jobRate);
    }

    private static readonly string[] PlatformPrefixes = ["dotnet.", "kestrel.", "aspnetcore.", "http.", "process.", "system.", "microsoft.", "signalr.", "dns.", "db.client.", "npgsql."];

    private static bool IsPlatformInstrument(string name) => PlatformPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private static bool IsServerError(MetricSeries series) =>
        series.Attributes.Any(a => a.Key == "http.response.status_code" && int.TryParse(a.Value, CultureInfo.InvariantCulture, out var code) && code >= 500);

    internal readonly record struct HistogramWindow(double Seconds, ulong Count, double Sum, IReadOnlyList<double> Bounds, ulong[] Buckets);

    /// <summary>What the histogram counted during the window: differences of cumulative points, or the sum of delta points.</summary>
    internal static HistogramWindow? HistogramDelta(MetricSeries series)
    {
        var points = series.Points.ToList();
        if (points.Count == 0)
        {
            return null;
        }

        var last = points[^1];
        var inWindow = points.Where(p => p.Time >= last.Time - Window).ToList();
        if (series.IsDelta)
        {
            var seconds = Math.Max((last.Time - inWindow[0].Start).TotalSeconds, 1);
            var buckets = new ulong[last.Buckets.Count];
            foreach (var p in inWindow.Where(p => p.Buckets.Count == buckets.Length))
            {
                for (var i = 0; i < buckets.Length; i++)
                {
                    buckets[i] += p.Buckets[i];
                }
            }

            return new HistogramWindow(seconds, (ulong)inWindow.Sum(p => (double)p.Count), inWindow.Sum(p => p.Sum), last.Bounds, buckets);
        }

        // Cumulative: the first point of the window is the baseline; a lone point counts from its start time.
        var first = inWindow.Count > 1 && inWindow[0].Count <= last.Count ? inWindow[0] : null;
        var span = first is null ? (last.Time - last.Start).TotalSeconds : (last.Time - first.Time).TotalSeconds;
        var delta = new ulong[last.Buckets.Count];
        for (var i = 0; i < delta.Length; i++)
        {
            var before = first is not null && first.Buckets.Count == delta.Length ? first.Buckets[i] : 0;
            delta[i] = last.Buckets[i] >= before ? last.Buckets[i] - before : 0;
        }

        return new HistogramWindow(Math.Max(span, 1), last.Count - (first?.Count ?? 0), last.Sum - (first?.Sum ?? 0), last.Bounds, delta);
    }

    /// <summary>The upper bound of the bucket holding the percentile: an upper estimate, as bucket counts allow.</summary>
    internal static double? Percentile(IReadOnlyList<HistogramWindow> windows, double quantile)
    {
        var bounds = windows.Select(w => w.Bounds).FirstOrDefault(b => b.Count > 0);
        if (bounds is null)
        {
            return null;
        }

        var totals = new ulong[bounds.Count + 1];
        foreach (var window in windows.Where(w => w.Bounds.SequenceEqual(bounds) && w.Buckets.Length == totals.Length))
        {
            for (var i = 0; i < totals.Length; i++)
            {
                totals[i] += window.Buckets[i];
            }
        }

        var count = totals.Aggregate(0UL, (a, b) => a + b);
        if (count == 0)
        {
            return null;
        }

        var target = Math.Ceiling(count * quantile);
        ulong seen = 0;
        for (var i = 0; i < totals.Length; i++)
        {
            seen += totals[i];
            if (seen >= target)
            {
                return i < bounds.Count ? bounds[i] : bounds[^1];
            }
        }

        return bounds[^1];
    }

    internal static double? CounterRate(MetricSeries series)
    {
        var points = series.Points.ToList();
        if (points.Count == 0)
        {
            return null;
        }

        var last = points[^1];
        var inWindow = points.Where(p => p.Time >= last.Time - Window).ToList();
        if (series.IsDelta)
        {
            return inWindow.Sum(p => p.Value) / Math.Max((last.Time - inWindow[0].Start).TotalSeconds, 1);
        }

        var first = inWindow[0];
        var seconds = (last.Time - first.Time).TotalSeconds;
        return seconds > 0 && last.Value >= first.Value ? (last.Value - first.Value) / seconds : 0;
    }

    private static string Current(IReadOnlyList<MetricSeries> series)
    {
        var first = series[0];
        switch (first.Kind)
        {
            case MetricKind.Histogram:
                var windows = series.Select(HistogramDelta).Where(w => w is not null).Select(w => w!.Value).ToList();
                var count = windows.Sum(w => (double)w.Count);
                var seconds = windows.Count == 0 ? 0 : windows.Max(w => w.Seconds);
                return count == 0 || seconds == 0
                    ? "no recordings in 30 s"
                    : Num(count / seconds) + "/s, mean " + Num(windows.Sum(w => w.Sum) / count, "0.####") + " " + first.Unit;
            case MetricKind.Sum when first.IsMonotonic:
                return Num(series.Sum(s => CounterRate(s) ?? 0)) + "/s (total " + Num(series.Sum(s => s.Points.LastOrDefault()?.Value ?? 0), "0.##") + ")";
            default:
                return Num(series.Sum(s => s.Points.LastOrDefault()?.Value ?? 0), "0.###");
        }
    }
}
