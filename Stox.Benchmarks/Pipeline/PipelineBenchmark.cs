using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Stox.Benchmarks.Pipeline;

/// <summary>
/// The images pipeline end to end through the gateway (issue 5, "Measure"): upload-to-complete latency of a
/// 12 MP JPEG at light load, sustained throughput with each number of processing replicas, and a burst of
/// uploads that must all complete. One whole system is started per replica count; each phase signs up its own
/// user so that its listing holds only its own images.
/// </summary>
internal static class PipelineBenchmark
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static readonly Dictionary<string, string> StepNames = new(StringComparer.Ordinal)
    {
        ["upload"] = "upload (request sent -> 202)",
        ["queue"] = "queue (202 -> processing started)",
        ["download"] = "download original (-> downloaded)",
        ["process"] = "decode + variants (-> processed)",
        ["store"] = "store variants (-> stored)",
        ["report"] = "report (stored -> complete event)",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        PipelineOptions o;
        try
        {
            o = PipelineOptions.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(PipelineOptions.Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var images = new Dictionary<string, (byte[] Jpeg, string Description)>();
        foreach (var (name, (width, height)) in new[] { ("latency", (4000, 3000)), ("throughput", (2048, 1536)), ("burst", (1536, 1024)) })
        {
            var jpeg = SampleImages.Jpeg(width, height, o.Photo);
            images[name] = (jpeg, SampleImages.Describe(jpeg, width, height, o.Photo));
        }

        var report = new PipelineReport
        {
            StartedAt = DateTimeOffset.UtcNow,
            Machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}, .NET {Environment.Version}",
            LoadAverageAtStart = LoadAverage(),
            Command = "dotnet run -c Release --project Stox.Benchmarks -- pipeline " + string.Join(' ', args),
            Images = images.ToDictionary(i => i.Key, i => i.Value.Description),
        };
        Console.WriteLine($"# Stox images pipeline benchmark  {report.StartedAt:yyyy-MM-dd HH:mm} UTC  {report.Machine}");
        Console.WriteLine($"# load average at start: {report.LoadAverageAtStart} (anything else running on the machine skews the figures)");
        foreach (var (name, (_, description)) in images)
        {
            Console.WriteLine($"# {name} image: {description}");
        }

        var fullRunReplicas = o.Replicas[^1];
        foreach (var replicas in o.Replicas)
        {
            Console.WriteLine();
            Console.WriteLine($"## starting the whole system with {replicas} processing replica(s)...");
            await using var system = await PipelineSystem.StartAsync(replicas, cancel.Token);
            Console.WriteLine($"## started in {system.Startup.TotalSeconds:0.0} s, gateway {system.Gateway}");
            if (replicas == fullRunReplicas && o.Phases.Contains("latency"))
            {
                report.Latency = await MeasureLatencyAsync(system.Gateway, images["latency"].Jpeg, replicas, o, cancel.Token);
            }

            if (o.Phases.Contains("throughput"))
            {
                report.Throughput.Add(await MeasureThroughputAsync(system.Gateway, images["throughput"].Jpeg, replicas, o, cancel.Token));
            }

            if (replicas == fullRunReplicas && o.Phases.Contains("burst"))
            {
                report.Burst = await MeasureBurstAsync(system.Gateway, images["burst"].Jpeg, replicas, o, cancel.Token);
            }

            Console.WriteLine($"## stopping the system (load average {LoadAverage()})");
        }

        report.LoadAverageAtEnd = LoadAverage();
        Print(report);
        await File.WriteAllTextAsync(o.JsonPath, JsonSerializer.Serialize(report, Json), CancellationToken.None);
        Console.WriteLine();
        Console.WriteLine($"results: {Path.GetFullPath(o.JsonPath)}");
        return report.Burst is { Failures: > 0 } || report.Latency is { Failures: > 0 } || report.Throughput.Any(t => t.Failures > 0) ? 1 : 0;
    }

    private static async Task<LatencyResult> MeasureLatencyAsync(Uri gateway, byte[] jpeg, int replicas, PipelineOptions o, CancellationToken cancellationToken)
    {
        Console.WriteLine($"latency: {o.LatencyWarmups} warm-ups, then {o.LatencySamples} uploads one at a time...");
        await using var client = new PipelineClient(gateway);
        await client.RegisterAsync(cancellationToken);
        var samples = new List<LatencySample>();
        var failures = new List<string>();
        for (var i = 0; i < o.LatencyWarmups + o.LatencySamples; i++)
        {
            var answer = await client.UploadAsync(jpeg, 1, $"latency-{i}", cancellationToken);
            if (answer.Error is not null)
            {
                failures.Add(answer.Error);
                continue;
            }

            var track = client.Track(answer.Images[0]);
            var outcome = await WaitAsync(track, o.CompletionTimeout, cancellationToken);
            if (outcome is not "complete")
            {
                failures.Add($"{answer.Images[0]}: {outcome}");
                continue;
            }

            if (i < o.LatencyWarmups)
            {
                continue;
            }

            var detail = await client.GetImageAsync(answer.Images[0], cancellationToken);
            double? Since(long? at) => at is { } t ? Stopwatch.GetElapsedTime(answer.Sent, t).TotalMilliseconds : null;
            samples.Add(new LatencySample(
                Since(answer.Accepted)!.Value,
                Since(track.SeenAt("processing")),
                Since(track.SeenAt("downloaded")),
                Since(track.SeenAt("processed")),
                Since(track.SeenAt("stored")),
                Since(track.FinishedAt)!.Value,
                ServerMs(detail, "startedAt", "finishedAt"),
                CountVariants(detail)));
        }

        // Each step's median on its own: from one event to the next as they reached this client.
        static double? Step(List<LatencySample> s, Func<LatencySample, double?> from, Func<LatencySample, double?> to) =>
            s.Select(x => to(x) - from(x)).OfType<double>().ToList() is { Count: > 0 } d ? Stats.Of(d).P50 : null;
        var result = new LatencyResult
        {
            Replicas = replicas,
            Samples = samples.Count,
            Warmups = o.LatencyWarmups,
            Failures = failures.Count,
            FailureMessages = failures,
            AcceptedMs = Stats.Of(samples.Select(s => s.AcceptedMs)),
            CompleteMs = Stats.Of(samples.Select(s => s.CompleteMs)),
            WorkerMs = Stats.Of(samples.Select(s => s.WorkerMs).OfType<double>()),
            VariantsPerImage = samples.Select(s => s.Variants).DefaultIfEmpty().Min(),
            StepsMedianMs = new Dictionary<string, double?>
            {
                ["upload"] = samples.Count > 0 ? Stats.Of(samples.Select(s => s.AcceptedMs)).P50 : null,
                ["queue"] = Step(samples, s => s.AcceptedMs, s => s.StartedMs),
                ["download"] = Step(samples, s => s.StartedMs, s => s.DownloadedMs),
                ["process"] = Step(samples, s => s.DownloadedMs, s => s.ProcessedMs),
                ["store"] = Step(samples, s => s.ProcessedMs, s => s.StoredMs),
                ["report"] = Step(samples, s => s.StoredMs, s => s.CompleteMs),
            },
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency: complete p50 {result.CompleteMs.P50:0} ms, p95 {result.CompleteMs.P95:0} ms, max {result.CompleteMs.Max:0} ms; {failures.Count} failure(s)"));
        return result;
    }

    private static async Task<ThroughputResult> MeasureThroughputAsync(Uri gateway, byte[] jpeg, int replicas, PipelineOptions o, CancellationToken cancellationToken)
    {
        Console.WriteLine($"throughput: {o.ThroughputImages} uploads, {o.ThroughputConcurrency} in flight, {replicas} replica(s)...");
        await using var client = new PipelineClient(gateway);
        await client.RegisterAsync(cancellationToken);
        for (var i = 0; i < 2; i++)
        {
            var warm = await client.UploadAsync(jpeg, 1, $"warm-{i}", cancellationToken);
            if (warm.Error is null)
            {
                await WaitAsync(client.Track(warm.Images[0]), o.CompletionTimeout, cancellationToken);
            }
        }

        var latencies = new List<double>();
        var failures = new List<string>();
        var completed = new List<Guid>();
        var next = 0;
        var start = Stopwatch.GetTimestamp();
        long end = start;
        await Task.WhenAll(Enumerable.Range(0, o.ThroughputConcurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= o.ThroughputImages)
            {
                var answer = await client.UploadAsync(jpeg, 1, $"steady-{next}", cancellationToken);
                var track = answer.Error is null ? client.Track(answer.Images[0]) : null;
                var outcome = track is null ? answer.Error : await WaitAsync(track, o.CompletionTimeout, cancellationToken);
                lock (latencies)
                {
                    if (outcome is "complete")
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(answer.Sent, track!.FinishedAt!.Value).TotalMilliseconds);
                        completed.Add(answer.Images[0]);
                        end = Math.Max(end, track.FinishedAt.Value);
                    }
                    else
                    {
                        failures.Add(outcome ?? "unknown");
                    }
                }
            }
        }));

        var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        var workers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in completed)
        {
            var detail = await client.GetImageAsync(id, cancellationToken);
            var worker = detail.GetProperty("job").GetProperty("worker").GetString() ?? "?";
            workers[worker] = workers.GetValueOrDefault(worker) + 1;
        }

        var result = new ThroughputResult
        {
            Replicas = replicas,
            Images = o.ThroughputImages,
            Concurrency = o.ThroughputConcurrency,
            Completed = completed.Count,
            Failures = failures.Count,
            FailureMessages = failures,
            Seconds = seconds,
            ImagesPerMinute = completed.Count / seconds * 60,
            LatencyMs = Stats.Of(latencies),
            ImagesPerWorker = workers,
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput: {result.ImagesPerMinute:0.0} images/min ({completed.Count} in {seconds:0.0} s), {failures.Count} failure(s)"));
        return result;
    }

    private static async Task<BurstResult> MeasureBurstAsync(Uri gateway, byte[] jpeg, int replicas, PipelineOptions o, CancellationToken cancellationToken)
    {
        var requests = (o.BurstImages + o.BurstFilesPerRequest - 1) / o.BurstFilesPerRequest;
        Console.WriteLine($"burst: {o.BurstImages} uploads in {requests} requests of up to {o.BurstFilesPerRequest} files, {o.BurstConcurrency} requests at once...");
        await using var client = new PipelineClient(gateway);
        await client.RegisterAsync(cancellationToken);
        using var gate = new SemaphoreSlim(o.BurstConcurrency);
        var start = Stopwatch.GetTimestamp();
        var answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(async r =>
        {
            var files = Math.Min(o.BurstFilesPerRequest, o.BurstImages - (r * o.BurstFilesPerRequest));
            await gate.WaitAsync(cancellationToken);
            try
            {
                var answer = await client.UploadAsync(jpeg, files, $"burst-{r}", cancellationToken);
                return (Files: files, Answer: answer);
            }
            finally
            {
                gate.Release();
            }
        }));
        var allAccepted = answers.Max(a => a.Answer.Accepted);
        var failures = answers.Where(a => a.Answer.Error is not null).Select(a => $"{a.Files} file(s) refused: {a.Answer.Error}").ToList();
        var refusedFiles = answers.Where(a => a.Answer.Error is not null).Sum(a => a.Files);
        var accepted = answers.SelectMany(a => a.Answer.Images).ToList();

        var outcomes = await Task.WhenAll(accepted.Select(id => WaitAsync(client.Track(id), o.BurstTimeout, cancellationToken)));
        var notComplete = accepted.Zip(outcomes).Where(p => p.Second is not "complete").ToList();
        failures.AddRange(notComplete.Select(p => $"{p.First}: {p.Second}"));
        var lastComplete = accepted.Select(id => client.Track(id).FinishedAt).OfType<long>().DefaultIfEmpty(start).Max();

        await client.LoginAgainAsync(cancellationToken);
        var (listed, pages) = await client.ListAllAsync(cancellationToken);
        var listedIds = listed.Select(l => l.Id).ToHashSet();
        var result = new BurstResult
        {
            Replicas = replicas,
            Images = o.BurstImages,
            Requests = requests,
            FilesPerRequest = o.BurstFilesPerRequest,
            Concurrency = o.BurstConcurrency,
            Accepted = accepted.Count,
            Completed = accepted.Count - notComplete.Count,
            Failures = refusedFiles + notComplete.Count,
            FailureMessages = failures.Take(20).ToList(),
            AllAcceptedSeconds = Stopwatch.GetElapsedTime(start, allAccepted).TotalSeconds,
            AllCompleteSeconds = Stopwatch.GetElapsedTime(start, lastComplete).TotalSeconds,
            Listed = listed.Count,
            ListedComplete = listed.Count(l => l.Status == "complete"),
            ListPages = pages,
            ListedEqualsAccepted = listedIds.SetEquals(accepted) && listed.Count == accepted.Count,
        };
        result.ImagesPerMinute = result.Completed / result.AllCompleteSeconds * 60;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"burst: {result.Completed}/{result.Images} complete in {result.AllCompleteSeconds:0.0} s, {result.Failures} failure(s), {result.Listed} listed"));
        return result;
    }

    /// <summary>The image's final status from the event stream, or why there is none.</summary>
    private static async Task<string> WaitAsync(ImageTrack track, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var finished = await track.Finished.WaitAsync(timeout, cancellationToken);
            return finished.Status == "complete" ? "complete" : $"failed: {finished.Error}";
        }
        catch (TimeoutException)
        {
            return $"no complete event within {timeout.TotalSeconds:0} s";
        }
    }

    private static double? ServerMs(JsonElement detail, string from, string to) =>
        detail.GetProperty("timings") is var t
        && t.GetProperty(from).ValueKind == JsonValueKind.String && t.GetProperty(to).ValueKind == JsonValueKind.String
            ? (t.GetProperty(to).GetDateTimeOffset() - t.GetProperty(from).GetDateTimeOffset()).TotalMilliseconds
            : null;

    private static int CountVariants(JsonElement detail) =>
        detail.GetProperty("variants").EnumerateObject().Sum(preset => preset.Value.EnumerateObject().Count());

    private static void Print(PipelineReport r)
    {
        static string S(double? ms) => ms is { } v ? (v / 1000).ToString("0.00", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine();
        Console.WriteLine($"# load average at start {r.LoadAverageAtStart}, at end {r.LoadAverageAtEnd}");
        if (r.Latency is { } l)
        {
            Console.WriteLine();
            Console.WriteLine($"Upload-to-complete, 12 MP JPEG, one at a time, enhance off ({l.Samples} samples after {l.Warmups} warm-ups, {l.Replicas} replicas, {l.VariantsPerImage} variants per image):");
            Console.WriteLine("| from sending the upload to | p50 s | p95 s | max s |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine($"| 202 Accepted | {S(l.AcceptedMs.P50)} | {S(l.AcceptedMs.P95)} | {S(l.AcceptedMs.Max)} |");
            Console.WriteLine($"| `complete` event | {S(l.CompleteMs.P50)} | {S(l.CompleteMs.P95)} | {S(l.CompleteMs.Max)} |");
            Console.WriteLine($"| (worker's own time, startedAt -> finishedAt) | {S(l.WorkerMs.P50)} | {S(l.WorkerMs.P95)} | {S(l.WorkerMs.Max)} |");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"target p50 < 1.5 s: {(l.CompleteMs.P50 < 1500 ? "met" : "MISSED")}; failures {l.Failures}"));
            Console.WriteLine("where the time goes (median of each step, as the events reached the client):");
            foreach (var (step, ms) in l.StepsMedianMs)
            {
                Console.WriteLine($"  {StepNames.GetValueOrDefault(step, step),-38} {S(ms),6} s");
            }
        }

        if (r.Throughput.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("Sustained throughput (uploads kept in flight, each waits for its complete event):");
            Console.WriteLine("| replicas | images | in flight | wall s | images/min | vs 1 replica | p50 s | p95 s | failures | jobs per worker |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            var one = r.Throughput.FirstOrDefault(t => t.Replicas == 1)?.ImagesPerMinute;
            foreach (var t in r.Throughput)
            {
                var scale = one is > 0 ? (t.ImagesPerMinute / one.Value).ToString("0.00x", CultureInfo.InvariantCulture) : "-";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {t.Replicas} | {t.Completed}/{t.Images} | {t.Concurrency} | {t.Seconds:0.0} | {t.ImagesPerMinute:0.0} | {scale} | {S(t.LatencyMs.P50)} | {S(t.LatencyMs.P95)} | {t.Failures} | {string.Join(", ", t.ImagesPerWorker.Values.Order())} |"));
            }
        }

        if (r.Burst is { } b)
        {
            Console.WriteLine();
            Console.WriteLine($"Burst ({b.Requests} requests of {b.FilesPerRequest} files, {b.Concurrency} at once, {b.Replicas} replicas):");
            Console.WriteLine("| uploads | accepted | complete | failures | all 202 s | all complete s | images/min | listed (pages) | listed complete | listed = accepted |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {b.Images} | {b.Accepted} | {b.Completed} | {b.Failures} | {b.AllAcceptedSeconds:0.0} | {b.AllCompleteSeconds:0.0} | {b.ImagesPerMinute:0.0} | {b.Listed} ({b.ListPages}) | {b.ListedComplete} | {(b.ListedEqualsAccepted ? "yes" : "NO")} |"));
        }

        foreach (var message in (r.Latency?.FailureMessages ?? []).Concat(r.Throughput.SelectMany(t => t.FailureMessages)).Concat(r.Burst?.FailureMessages ?? []).Take(20))
        {
            Console.WriteLine($"failure: {message}");
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed record LatencySample(double AcceptedMs, double? StartedMs, double? DownloadedMs, double? ProcessedMs, double? StoredMs, double CompleteMs, double? WorkerMs, int Variants);
}
