namespace Stox.Hosting.Dashboard.Telemetry;

/// <summary>Where a piece of telemetry came from: service.name (the app model's resource name) and service.instance.id.</summary>
public readonly record struct TelemetrySource(string Service, string Instance);

public sealed record LogEntry(
    DateTimeOffset Timestamp,
    TelemetrySource Source,
    int SeverityNumber,
    string Level,
    string Category,
    string Message,
    string? TraceId,
    string? SpanId,
    IReadOnlyList<KeyValuePair<string, string>> Attributes);

public sealed record SpanEventEntry(DateTimeOffset Timestamp, string Name, IReadOnlyList<KeyValuePair<string, string>> Attributes);

public enum SpanKindName
{
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

public sealed record SpanEntry(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    SpanKindName Kind,
    TelemetrySource Source,
    string Scope,
    DateTimeOffset Start,
    DateTimeOffset End,
    bool IsError,
    string? StatusMessage,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    IReadOnlyList<SpanEventEntry> Events)
{
    public TimeSpan Duration => End > Start ? End - Start : TimeSpan.Zero;
}

public enum MetricKind
{
    Gauge,
    Sum,
    Histogram,
}

/// <summary>One exported point. For histograms: Count, Sum and the bucket counts; for gauges and sums: Value.</summary>
public sealed record MetricPoint(DateTimeOffset Start, DateTimeOffset Time, double Value, ulong Count, double Sum, IReadOnlyList<double> Bounds, IReadOnlyList<ulong> Buckets);

/// <summary>A time series: one instrument of one service with one set of attributes, its last points in a ring.</summary>
public sealed class MetricSeries(TelemetrySource source, string name, string unit, string description, MetricKind kind, bool isMonotonic, bool isDelta, IReadOnlyList<KeyValuePair<string, string>> attributes, int capacity)
{
    public TelemetrySource Source { get; } = source;
    public string Name { get; } = name;
    public string Unit { get; } = unit;
    public string Description { get; } = description;
    public MetricKind Kind { get; } = kind;
    public bool IsMonotonic { get; } = isMonotonic;
    public bool IsDelta { get; } = isDelta;
    public IReadOnlyList<KeyValuePair<string, string>> Attributes { get; } = attributes;
    public RingBuffer<MetricPoint> Points { get; } = new(capacity);
}

/// <summary>A trace as the dashboard lists it: the spans received so far that share a trace id.</summary>
public sealed record TraceSummary(string TraceId, string RootName, TelemetrySource RootSource, DateTimeOffset Start, TimeSpan Duration, int SpanCount, int ErrorCount, IReadOnlyList<string> Services);
