namespace Stox.Benchmarks.Pipeline;

/// <summary>The machine-readable result (the JSON file); times in milliseconds unless named seconds.</summary>
internal sealed class PipelineReport
{
    public DateTimeOffset StartedAt { get; init; }

    public required string Machine { get; init; }

    public required string Command { get; init; }

    public required string LoadAverageAtStart { get; init; }

    public string? LoadAverageAtEnd { get; set; }

    public required Dictionary<string, string> Images { get; init; }

    public LatencyResult? Latency { get; set; }

    public List<ThroughputResult> Throughput { get; } = [];

    public BurstResult? Burst { get; set; }
}

internal sealed class LatencyResult
{
    public int Replicas { get; init; }

    public int Samples { get; init; }

    public int Warmups { get; init; }

    public int Failures { get; init; }

    public required List<string> FailureMessages { get; init; }

    public required Stats AcceptedMs { get; init; }

    public required Stats CompleteMs { get; init; }

    public required Stats WorkerMs { get; init; }

    public int VariantsPerImage { get; init; }

    /// <summary>Median of each step: upload, queue, download, process, store, report.</summary>
    public required Dictionary<string, double?> StepsMedianMs { get; init; }
}

internal sealed class ThroughputResult
{
    public int Replicas { get; init; }

    public int Images { get; init; }

    public int Concurrency { get; init; }

    public int Completed { get; init; }

    public int Failures { get; init; }

    public required List<string> FailureMessages { get; init; }

    public double Seconds { get; init; }

    public double ImagesPerMinute { get; init; }

    public required Stats LatencyMs { get; init; }

    public required Dictionary<string, int> ImagesPerWorker { get; init; }
}

internal sealed class BurstResult
{
    public int Replicas { get; init; }

    public int Images { get; init; }

    public int Requests { get; init; }

    public int FilesPerRequest { get; init; }

    public int Concurrency { get; init; }

    public int Accepted { get; init; }

    public int Completed { get; init; }

    public int Failures { get; init; }

    public required List<string> FailureMessages { get; init; }

    public double AllAcceptedSeconds { get; init; }

    public double AllCompleteSeconds { get; init; }

    public double ImagesPerMinute { get; set; }

    public int Listed { get; init; }

    public int ListedComplete { get; init; }

    public int ListPages { get; init; }

    public bool ListedEqualsAccepted { get; init; }
}

internal sealed record Stats(int Count, double? P50, double? P95, double? Max)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        double? At(double p) => sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 1);
        return new Stats(sorted.Count, At(0.50), At(0.95), At(1.0));
    }
}
