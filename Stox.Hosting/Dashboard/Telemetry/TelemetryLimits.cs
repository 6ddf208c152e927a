namespace Stox.Hosting.Dashboard.Telemetry;

/// <summary>
/// How much telemetry the dashboard keeps and accepts. Every store is a fixed-size ring and every item is
/// truncated to these sizes, so the memory used has a ceiling however long the AppHost runs.
/// </summary>
public sealed record TelemetryLimits
{
    public int MaxLogEntries { get; init; } = 10_000;

    public int MaxSpans { get; init; } = 20_000;

    /// <summary>A budget for the logs' estimated size: the oldest go first when a burst of large records would pass it.</summary>
    public long MaxLogBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A budget for the spans' estimated size.</summary>
    public long MaxSpanBytes { get; init; } = 128L * 1024 * 1024;

    public int MaxMetricSeries { get; init; } = 2_000;

    /// <summary>Points kept per series: a minute at the development export interval; the page looks at 30 s.</summary>
    public int MaxPointsPerSeries { get; init; } = 60;

    public int MaxAttributesPerItem { get; init; } = 64;

    public int MaxEventsPerSpan { get; init; } = 32;

    public int MaxBucketsPerPoint { get; init; } = 64;

    public int MaxValueLength { get; init; } = 4_096;

    /// <summary>The largest OTLP request accepted, after decompression: 413 (HTTP) or RESOURCE_EXHAUSTED (gRPC) above it.</summary>
    public int MaxRequestBytes { get; init; } = 4 * 1024 * 1024;
}
