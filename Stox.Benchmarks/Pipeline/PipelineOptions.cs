using System.Globalization;

namespace Stox.Benchmarks.Pipeline;

internal sealed class PipelineOptions
{
    public const string Usage =
        "usage: pipeline [--replicas 1,2] [--phases latency,throughput,burst] [--photo FILE] [--json pipeline-results.json]\n" +
        "                [--latency-samples 20] [--latency-warmups 2] [--throughput-images 60] [--throughput-concurrency 6]\n" +
        "                [--burst-images 500] [--burst-files 10] [--burst-concurrency 50] [--timeout-seconds 120] [--burst-timeout-seconds 1800]\n" +
        "One whole system per replica count (throughput on each); latency and burst run on the last one.";

    public List<int> Replicas { get; private set; } = [1, 2];

    public HashSet<string> Phases { get; private set; } = new(["latency", "throughput", "burst"], StringComparer.Ordinal);

    public string? Photo { get; private set; }

    public string JsonPath { get; private set; } = "pipeline-results.json";

    public int LatencySamples { get; private set; } = 20;

    public int LatencyWarmups { get; private set; } = 2;

    public int ThroughputImages { get; private set; } = 60;

    public int ThroughputConcurrency { get; private set; } = 6;

    public int BurstImages { get; private set; } = 500;

    public int BurstFilesPerRequest { get; private set; } = 10;

    public int BurstConcurrency { get; private set; } = 50;

    public TimeSpan CompletionTimeout { get; private set; } = TimeSpan.FromSeconds(120);

    public TimeSpan BurstTimeout { get; private set; } = TimeSpan.FromMinutes(30);

    public static PipelineOptions Parse(string[] args)
    {
        var o = new PipelineOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var option = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{option} needs a value");
            int Positive() => int.Parse(Next(), CultureInfo.InvariantCulture) is var n and > 0 ? n : throw new ArgumentException($"{option} must be above 0");
            switch (option)
            {
                case "--replicas": o.Replicas = [.. Next().Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture))]; break;
                case "--phases": o.Phases = new(Next().Split(','), StringComparer.Ordinal); break;
                case "--photo": o.Photo = File.Exists(Next()) ? args[i] : throw new ArgumentException($"no file {args[i]}"); break;
                case "--json": o.JsonPath = Next(); break;
                case "--latency-samples": o.LatencySamples = Positive(); break;
                case "--latency-warmups": o.LatencyWarmups = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--throughput-images": o.ThroughputImages = Positive(); break;
                case "--throughput-concurrency": o.ThroughputConcurrency = Positive(); break;
                case "--burst-images": o.BurstImages = Positive(); break;
                case "--burst-files": o.BurstFilesPerRequest = Positive(); break;
                case "--burst-concurrency": o.BurstConcurrency = Positive(); break;
                case "--timeout-seconds": o.CompletionTimeout = TimeSpan.FromSeconds(Positive()); break;
                case "--burst-timeout-seconds": o.BurstTimeout = TimeSpan.FromSeconds(Positive()); break;
                default: throw new ArgumentException($"unknown option {option}");
            }
        }

        if (o.Replicas.Count == 0 || o.Replicas.Any(r => r < 1))
        {
            throw new ArgumentException("--replicas takes counts of 1 or more, e.g. 1,2");
        }

        if (o.Phases.Except(["latency", "throughput", "burst"]).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"unknown phase {unknown}");
        }

        return o;
    }
}
