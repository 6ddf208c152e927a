using System.Collections.Concurrent;

namespace Stox.Hosting.Dashboard.Telemetry;

/// <summary>
/// Everything the OTLP receiver has accepted: logs and spans in fixed-size rings, metrics as a bounded
/// number of series each with a ring of points. Readers get copies; writers never block for long.
/// </summary>
public sealed class TelemetryStore
{
    private readonly RingBuffer<LogEntry> _logs;
    private readonly RingBuffer<SpanEntry> _spans;
    private readonly ConcurrentDictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);
    private readonly Lock _seriesLock = new();
    private long _version;
    private long _droppedSeries;

    public TelemetryStore(TelemetryLimits limits)
    {
        Limits = limits;
        _logs = new RingBuffer<LogEntry>(limits.MaxLogEntries, limits.MaxLogBytes);
        _spans = new RingBuffer<SpanEntry>(limits.MaxSpans, limits.MaxSpanBytes);
    }

    public TelemetryLimits Limits { get; }

    /// <summary>Raised after each accepted batch (from the receiving thread; handlers must be quick).</summary>
    public event Action? Changed;

    /// <summary>Grows with every accepted batch: a page can tell whether there is anything new.</summary>
    public long Version => Interlocked.Read(ref _version);

    public int LogCount => _logs.Count;

    public int SpanCount => _spans.Count;

    /// <summary>The estimated size of the logs and spans kept.</summary>
    public long Bytes => _logs.Bytes + _spans.Bytes;

    public int SeriesCount => _series.Count;

    /// <summary>New series refused because <see cref="TelemetryLimits.MaxMetricSeries"/> was reached.</summary>
    public long DroppedSeries => Interlocked.Read(ref _droppedSeries);

    public void AddLogs(IEnumerable<LogEntry> entries)
    {
        foreach (var entry in entries)
        {
            _logs.Add(entry, SizeOf(entry));
        }
    }

    public void AddSpans(IEnumerable<SpanEntry> spans)
    {
        foreach (var span in spans)
        {
            _spans.Add(span, SizeOf(span));
        }
    }

    /// <summary>Finds or creates the series; null when the series limit is reached.</summary>
    public MetricSeries? GetOrAddSeries(string key, Func<MetricSeries> create)
    {
        if (_series.TryGetValue(key, out var existing))
        {
            return existing;
        }

        lock (_seriesLock)
        {
            if (_series.TryGetValue(key, out existing))
            {
                return existing;
            }

            if (_series.Count >= Limits.MaxMetricSeries)
            {
                Interlocked.Increment(ref _droppedSeries);
                return null;
            }

            var series = create();
            _series[key] = series;
            return series;
        }
    }

    public void NotifyChanged()
    {
        Interlocked.Increment(ref _version);
        Changed?.Invoke();
    }

    // Estimates: two bytes a character plus object overheads; close enough to keep a budget.
    private static long SizeOf(IReadOnlyList<KeyValuePair<string, string>> attributes) =>
        attributes.Sum(a => 80L + (2L * (a.Key.Length + a.Value.Length)));

    private static long SizeOf(LogEntry entry) =>
        300 + (2L * (entry.Message.Length + entry.Category.Length + entry.Source.Service.Length + entry.Source.Instance.Length)) + SizeOf(entry.Attributes);

    private static long SizeOf(SpanEntry span) =>
        400 + (2L * (span.Name.Length + span.Scope.Length + (span.StatusMessage?.Length ?? 0) + span.Source.Service.Length + span.Source.Instance.Length))
        + SizeOf(span.Attributes) + span.Events.Sum(e => 100 + (2L * e.Name.Length) + SizeOf(e.Attributes));

    public List<LogEntry> GetLogs() => _logs.ToList();

    public List<SpanEntry> GetSpans() => _spans.ToList();

    public List<MetricSeries> GetSeries() => [.. _series.Values];

    /// <summary>Every service that sent anything, sorted.</summary>
    public IReadOnlyList<string> Services() =>
        GetLogs().Select(l => l.Source.Service)
            .Concat(GetSpans().Select(s => s.Source.Service))
            .Concat(_series.Values.Select(s => s.Source.Service))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    public List<SpanEntry> GetTrace(string traceId) =>
        GetSpans().Where(s => string.Equals(s.TraceId, traceId, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>Traces newest first, built from the spans still in the ring.</summary>
    public List<TraceSummary> GetTraces(string? service = null, int max = 200)
    {
        var traces = new List<TraceSummary>();
        foreach (var group in GetSpans().GroupBy(s => s.TraceId, StringComparer.Ordinal))
        {
            var spans = group.ToList();
            if (service is not null && !spans.Any(s => s.Source.Service == service))
            {
                continue;
            }

            var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
            var root = spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).MinBy(s => s.Start) ?? spans[0];
            var start = spans.Min(s => s.Start);
            var end = spans.Max(s => s.End);
            traces.Add(new TraceSummary(
                group.Key,
                root.Name,
                root.Source,
                start,
                end > start ? end - start : TimeSpan.Zero,
                spans.Count,
                spans.Count(s => s.IsError),
                spans.OrderBy(s => s.Start).Select(s => s.Source.Service).Distinct(StringComparer.Ordinal).ToList()));
        }

        return traces.OrderByDescending(t => t.Start).Take(max).ToList();
    }
}
