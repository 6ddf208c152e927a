using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Stox.Processing.ImageJobs;

/// <summary>The worker's own metrics, exported with the service's OTLP stream (meter "Stox.Processing").</summary>
public sealed class ProcessingMetrics
{
    public const string MeterName = "Stox.Processing";

    private readonly Counter<long> _processed;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _duration;

    public ProcessingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _processed = meter.CreateCounter<long>("stox.processing.jobs.processed", "{job}", "Jobs whose variants were all stored.");
        _failed = meter.CreateCounter<long>("stox.processing.jobs.failed", "{job}", "Job attempts that failed, by whether the failure is permanent.");
        _duration = meter.CreateHistogram<double>("stox.processing.job.duration", "s", "Time of one job attempt, from taking it to its outcome.");
    }

    public void Processed(TimeSpan duration, bool enhance)
    {
        _processed.Add(1, new KeyValuePair<string, object?>("enhance", enhance));
        _duration.Record(duration.TotalSeconds, new TagList { { "outcome", "completed" }, { "enhance", enhance } });
    }

    public void Failed(TimeSpan duration, bool permanent, string reason)
    {
        _failed.Add(1, new TagList { { "permanent", permanent }, { "reason", reason } });
        _duration.Record(duration.TotalSeconds, new TagList { { "outcome", permanent ? "failed" : "retried" } });
    }
}
