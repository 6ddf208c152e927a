using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Stox.Hosting.Dashboard.Otlp.Protocol;
using Stox.Hosting.Dashboard.Telemetry;

namespace Stox.Hosting.Dashboard.Otlp;

/// <summary>Turns OTLP export requests into the dashboard's records, truncating every item to the configured limits.</summary>
internal sealed class OtlpIngest(TelemetryStore store)
{
    private readonly TelemetryLimits _limits = store.Limits;

    public TelemetryStore Store { get; } = store;

    public void Ingest(ExportTraceServiceRequest request)
    {
        var spans = new List<SpanEntry>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var source = SourceOf(resourceSpans.Resource);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = Truncate(scopeSpans.Scope?.Name ?? string.Empty);
                foreach (var span in scopeSpans.Spans)
                {
                    spans.Add(new SpanEntry(
                        Hex(span.TraceId),
                        Hex(span.SpanId),
                        span.ParentSpanId.IsEmpty ? null : Hex(span.ParentSpanId),
                        Truncate(span.Name),
                        span.Kind is >= Span.Types.SpanKind.Unspecified and <= Span.Types.SpanKind.Consumer ? (SpanKindName)(int)span.Kind : SpanKindName.Unspecified,
                        source,
                        scope,
                        Time(span.StartTimeUnixNano),
                        Time(span.EndTimeUnixNano),
                        span.Status?.Code == Status.Types.StatusCode.Error,
                        span.Status is { Message.Length: > 0 } status ? Truncate(status.Message) : null,
                        Attributes(span.Attributes),
                        span.Events.Take(_limits.MaxEventsPerSpan)
                            .Select(e => new SpanEventEntry(Time(e.TimeUnixNano), Truncate(e.Name), Attributes(e.Attributes)))
                            .ToList()));
                }
            }
        }

        Store.AddSpans(spans);
        Store.NotifyChanged();
    }

    public void Ingest(ExportLogsServiceRequest request)
    {
        var entries = new List<LogEntry>();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var source = SourceOf(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var scope = Truncate(scopeLogs.Scope?.Name ?? string.Empty);
                foreach (var record in scopeLogs.LogRecords)
                {
                    var attributes = Attributes(record.Attributes);
                    var category = attributes.FirstOrDefault(a => a.Key is "category" or "logger.name").Value ?? scope;
                    var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
                    entries.Add(new LogEntry(
                        time == 0 ? DateTimeOffset.UtcNow : Time(time),
                        source,
                        (int)record.SeverityNumber,
                        LevelOf((int)record.SeverityNumber, record.SeverityText),
                        category,
                        Truncate(FormatMessage(record.Body is null ? string.Empty : Text(record.Body), attributes)),
                        record.TraceId.IsEmpty ? null : Hex(record.TraceId),
                        record.SpanId.IsEmpty ? null : Hex(record.SpanId),
                        attributes));
                }
            }
        }

        Store.AddLogs(entries);
        Store.NotifyChanged();
    }

    public void Ingest(ExportMetricsServiceRequest request)
    {
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var source = SourceOf(resourceMetrics.Resource);
            foreach (var metric in resourceMetrics.ScopeMetrics.SelectMany(s => s.Metrics))
            {
                switch (metric.DataCase)
                {
                    case Metric.DataOneofCase.Gauge:
                        foreach (var point in metric.Gauge.DataPoints)
                        {
                            AddNumber(source, metric, MetricKind.Gauge, false, false, point);
                        }

                        break;
                    case Metric.DataOneofCase.Sum:
                        foreach (var point in metric.Sum.DataPoints)
                        {
                            AddNumber(source, metric, MetricKind.Sum, metric.Sum.IsMonotonic, metric.Sum.AggregationTemporality == AggregationTemporality.Delta, point);
                        }

                        break;
                    case Metric.DataOneofCase.Histogram:
                        foreach (var point in metric.Histogram.DataPoints)
                        {
                            var series = Series(source, metric, MetricKind.Histogram, true, metric.Histogram.AggregationTemporality == AggregationTemporality.Delta, point.Attributes);
                            if (series is null)
                            {
                                continue;
                            }

                            // Bucket bounds rarely change: share the previous point's array.
                            var bounds = point.ExplicitBounds.Take(_limits.MaxBucketsPerPoint).ToArray();
                            var previous = series.Points.LastOrDefault()?.Bounds;
                            series.Points.Add(new MetricPoint(
                                Time(point.StartTimeUnixNano),
                                Time(point.TimeUnixNano),
                                point.HasSum && point.Count > 0 ? point.Sum / point.Count : 0,
                                point.Count,
                                point.HasSum ? point.Sum : 0,
                                previous is not null && previous.SequenceEqual(bounds) ? previous : bounds,
                                point.BucketCounts.Take(_limits.MaxBucketsPerPoint + 1).ToArray()));
                        }

                        break;
                    default:
                        break;
                }
            }
        }

        Store.NotifyChanged();
    }

    private void AddNumber(TelemetrySource source, Metric metric, MetricKind kind, bool monotonic, bool delta, NumberDataPoint point)
    {
        var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
        Series(source, metric, kind, monotonic, delta, point.Attributes)?.Points.Add(
            new MetricPoint(Time(point.StartTimeUnixNano), Time(point.TimeUnixNano), value, 0, 0, [], []));
    }

    private MetricSeries? Series(TelemetrySource source, Metric metric, MetricKind kind, bool monotonic, bool delta, RepeatedField<KeyValue> rawAttributes)
    {
        var attributes = Attributes(rawAttributes).OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        var key = string.Join('\u001f', new[] { source.Service, source.Instance, metric.Name }.Concat(attributes.Select(a => a.Key + "=" + a.Value)));
        return Store.GetOrAddSeries(key, () => new MetricSeries(
            source, Truncate(metric.Name), Truncate(metric.Unit), Truncate(metric.Description), kind, monotonic, delta, attributes, _limits.MaxPointsPerSeries));
    }

    private TelemetrySource SourceOf(Protocol.Resource? resource)
    {
        string? service = null;
        string? instance = null;
        foreach (var attribute in resource?.Attributes ?? [])
        {
            if (attribute.Key == "service.name")
            {
                service = Truncate(Text(attribute.Value));
            }
            else if (attribute.Key == "service.instance.id")
            {
                instance = Truncate(Text(attribute.Value));
            }
        }

        service = string.IsNullOrEmpty(service) ? "unknown_service" : service;
        return new TelemetrySource(service, instance ?? service);
    }

    private List<KeyValuePair<string, string>> Attributes(RepeatedField<KeyValue> attributes) =>
        attributes.Take(_limits.MaxAttributesPerItem)
            .Select(a => new KeyValuePair<string, string>(Truncate(a.Key), Truncate(Text(a.Value))))
            .ToList();

    private string Truncate(string text) =>
        text.Length <= _limits.MaxValueLength ? text : string.Concat(text.AsSpan(0, _limits.MaxValueLength), "…");

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Take(32).Select(Text)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Take(32).Select(kv => kv.Key + ": " + Text(kv.Value))) + "}",
        _ => string.Empty,
    };

    /// <summary>.NET exports the message template as the body and its values as attributes: fill the holes.</summary>
    internal static string FormatMessage(string body, IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        if (!body.Contains('{', StringComparison.Ordinal) || attributes.Count == 0)
        {
            return body;
        }

        var result = new StringBuilder(body.Length + 32);
        var i = 0;
        while (i < body.Length)
        {
            var open = body.IndexOf('{', i);
            var close = open < 0 ? -1 : body.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                result.Append(body, i, body.Length - i);
                break;
            }

            result.Append(body, i, open - i);
            var hole = body.AsSpan(open + 1, close - open - 1);
            var nameEnd = hole.IndexOfAny(':', ',');
            var name = (nameEnd < 0 ? hole : hole[..nameEnd]).TrimStart('@').ToString();
            var match = attributes.FirstOrDefault(a => a.Key == name);
            result.Append(match.Key is null ? body.AsSpan(open, close - open + 1) : match.Value);
            i = close + 1;
        }

        return result.ToString();
    }

    internal static string LevelOf(int severity, string text) => severity switch
    {
        >= 21 => "Critical",
        >= 17 => "Error",
        >= 13 => "Warning",
        >= 9 => "Information",
        >= 5 => "Debug",
        >= 1 => "Trace",
        _ => string.IsNullOrEmpty(text) ? "Unspecified" : text,
    };

    // Any ulong of nanoseconds fits in DateTimeOffset (it ends in the year 2554).
    private static DateTimeOffset Time(ulong unixNanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanos / 100));

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span.Length > 32 ? bytes.Span[..32] : bytes.Span);
}
