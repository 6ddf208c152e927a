using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Stox.Imaging;
using NetVips;
using Stox.Imaging.Vips;

namespace Stox.Benchmarks.Imaging;

/// <summary>
/// Stopwatch harness: our engine, Sharp (the earlier system's way and its best), and decode-only floors,
/// over the same photos at the same concurrency. Each scenario runs in its own child process (this
/// program re-run with <c>--scenario</c>, or node for Sharp) so its peak RSS is its own.
/// </summary>
internal static class ImagingBenchmark
{
    private const string DefaultCorpus = "/usr/share/backgrounds";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static async Task<int> RunAsync(string[] args)
    {
        var o = BenchOptions.Parse(args);
        if (o.Scenario is not null)
        {
            return await RunScenarioAsync(o);
        }

        var files = Corpus(o.CorpusDir);
        if (files.Count == 0)
        {
            Console.Error.WriteLine($"no JPEG photos under {o.CorpusDir}: apt-get install lomiri-wallpapers-20.04 ukui-wallpapers");
            return 2;
        }

        var megapixels = files.Select(f => Probe(f)).ToList();
        Console.WriteLine($"# Stox imaging benchmark  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  {Environment.ProcessorCount} cores  .NET {Environment.Version}");
        Console.WriteLine($"# corpus: {files.Count} JPEG photos from {o.CorpusDir}, {megapixels.Min():0.#}-{megapixels.Max():0.#} MP (mean {megapixels.Average():0.#}); {o.Rounds} rounds, each scenario one pass a round in a fresh process (round-robin), after a 1-image warm-up");
        Console.WriteLine("# set: thumbnail 150 cover, small 480, medium 1024, large 1920, original; JPEG q82 progressive + WebP q80");
        Console.WriteLine($"# load average at start: {LoadAverage()} (anything else running on the machine skews absolute figures)");
        Console.WriteLine();

        // Scenarios run round-robin, one pass each per round, each in a fresh child process, so load from
        // anything else on the machine falls on all of them alike. Throughput is the median over rounds.
        var scenarios = new List<Scenario>();
        foreach (var concurrency in o.Concurrency)
        {
            foreach (var lib in o.Libraries)
            {
                scenarios.AddRange(o.Budgets.Select(b => Ours(o, "ours", concurrency, lib, o.Malloc, b)));
                if (o.Skia && lib == o.Libraries[0])
                {
                    scenarios.Add(Ours(o, "ours", concurrency, lib, o.Malloc, engine: ImageEngines.Skia));
                }
                if (o.CompareMalloc)
                {
                    scenarios.AddRange(MallocProfiles.Keys.Where(k => k != o.Malloc).Select(m => Ours(o, "ours", concurrency, lib, m)));
                }
            }

            if (!o.SkipSharp)
            {
                scenarios.Add(Sharp(o, "legacy", concurrency));
                scenarios.Add(Sharp(o, "best", concurrency));
                scenarios.Add(Sharp(o, "decode", concurrency));
            }

            scenarios.Add(Ours(o, "decode", concurrency, o.Libraries[0], o.Malloc));
        }

        var rows = await RunRoundsAsync(scenarios, o.Rounds);
        Print(rows);

        if (o.Check24Mp)
        {
            // The memory target is stated for 24 MP inputs at concurrency 2: camera-like 6000x4000 baseline
            // 4:2:0 JPEGs made from the corpus (the wallpapers include 4:4:4 progressive files, whose
            // decoding alone needs the whole coefficient array in libjpeg).
            var dir = Make24MpCorpus(files);
            Console.WriteLine();
            Console.WriteLine($"# 24 MP check: {Directory.GetFiles(dir).Length} camera-like 6000x4000 baseline 4:2:0 JPEGs in {dir}, concurrency 2");
            var o24 = o.WithCorpus(dir);
            var scenarios24 = o.Libraries.SelectMany(lib => o.Budgets.Select(b => Ours(o24, "ours", 2, lib, o.Malloc, b))).ToList();
            if (o.Skia)
            {
                scenarios24.Add(Ours(o24, "ours", 2, o.Libraries[0], o.Malloc, engine: ImageEngines.Skia));
            }
            if (!o.SkipSharp)
            {
                scenarios24.Add(Sharp(o24, "legacy", 2));
                scenarios24.Add(Sharp(o24, "best", 2));
            }

            scenarios24.Add(Ours(o24, "decode", 2, o.Libraries[0], o.Malloc));
            Print(await RunRoundsAsync(scenarios24, o.Rounds));
        }

        return 0;
    }

    private static string Make24MpCorpus(List<string> sources)
    {
        var dir = Path.Combine(Path.GetTempPath(), "stox-imaging-24mp");
        Directory.CreateDirectory(dir);
        foreach (var source in sources.Take(3))
        {
            var target = Path.Combine(dir, Path.GetFileNameWithoutExtension(source) + "-24mp.jpg");
            if (File.Exists(target))
            {
                continue;
            }

            using var image = ImageFields.Load("jpegload_buffer", File.ReadAllBytes(source));
            using var sized = image.Resize(6000.0 / image.Width, vscale: 4000.0 / image.Height);
            File.WriteAllBytes(target, sized.Save("jpegsave_buffer", new VOption { { "Q", 90 }, { "subsample_mode", Enums.ForeignSubsample.On } }));
        }

        return dir;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static void Print(List<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"# load average now: {LoadAverage()}");
        Console.WriteLine("| scenario | conc | images/s | p50 ms | p95 ms | peak RSS MB | ours/this |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var ours = rows.FirstOrDefault(x => x.Concurrency == r.Concurrency && x.Name.StartsWith("ours", StringComparison.Ordinal));
            var ratio = ours is null || r.ImagesPerSecond <= 0 ? "" : (ours.ImagesPerSecond / r.ImagesPerSecond).ToString("0.00x", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Concurrency} | {r.ImagesPerSecond:0.00} | {r.P50:0} | {r.P95:0} | {r.PeakRssMb:0} | {ratio} |"));
        }
    }

    private static List<string> Corpus(string dir) =>
        [.. Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)];

    private static double Probe(string file)
    {
        var info = Engine.Value.Probe(File.ReadAllBytes(file));
        return info.Width * (double)info.Height / 1e6;
    }

    private static readonly Lazy<VipsImageEngine> Engine = new(() => new VipsImageEngine());

    /// <summary>glibc malloc settings compared by --compare-malloc (environment read at process start).</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> MallocProfiles = new()
    {
        ["glibc-default"] = [],
        ["arena2"] = new() { ["MALLOC_ARENA_MAX"] = "2" },
        ["arena2+mmap1m"] = new() { ["MALLOC_ARENA_MAX"] = "2", ["MALLOC_MMAP_THRESHOLD_"] = "1048576" },
    };

    private static void ApplyMalloc(ProcessStartInfo psi, string profile)
    {
        psi.Environment.Remove("MALLOC_ARENA_MAX");
        psi.Environment.Remove("MALLOC_MMAP_THRESHOLD_");
        foreach (var (k, v) in MallocProfiles[profile])
        {
            psi.Environment[k] = v;
        }
    }

    private sealed record Scenario(string Name, int Concurrency, ProcessStartInfo Start);

    private static Scenario Ours(BenchOptions o, string scenario, int concurrency, string lib, string malloc, Budgets? budgets = null,
        string engine = ImageEngines.Vips)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(ImagingBenchmark).Assembly.Location);
        }

        foreach (var a in new[] { "imaging", "--scenario", scenario, "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
            "--passes", "1", "--corpus", o.CorpusDir })
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add("--engine");
        psi.ArgumentList.Add(engine);
        if (budgets is not null)
        {
            psi.ArgumentList.Add("--budgets");
            psi.ArgumentList.Add(budgets.ToString());
        }

        UseLibvips(psi, lib);
        ApplyMalloc(psi, malloc);
        var name = scenario == "ours" ? "ours" : "decode-only (ours)";
        name += engine == ImageEngines.Skia ? " [skia 4.156, HEIC/TIFF/AVIF via vips 8.14]"
            : lib.Contains("8.18", StringComparison.Ordinal) ? " [vips 8.18]" : " [vips 8.14]";
        name += budgets is null || budgets.IsDefault ? "" : $" [budgets {budgets}]";
        name += $" [{malloc}]";
        return new Scenario(name, concurrency, psi);
    }

    /// <summary>
    /// NetVips loads <c>libvips.so.42</c> by name, so another build (Sharp's <c>libvips-cpp.so.8.18.7</c>) is put first
    /// on the child's library path under that name.
    /// </summary>
    private static void UseLibvips(ProcessStartInfo psi, string lib)
    {
        if (lib == "libvips.so.42")
        {
            return;
        }

        var dir = Path.Combine(Path.GetTempPath(), "stox-libvips-" + Path.GetFileName(lib));
        var link = Path.Combine(dir, "libvips.so.42");
        if (!File.Exists(link))
        {
            Directory.CreateDirectory(dir);
            File.CreateSymbolicLink(link, Path.GetFullPath(lib));
        }

        psi.Environment["LD_LIBRARY_PATH"] = dir;
    }

    private static Scenario Sharp(BenchOptions o, string mode, int concurrency)
    {
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(o.SharpDir, "bench.mjs"));
        foreach (var a in new[] { "--mode", mode, "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
            "--passes", "1", "--corpus", o.CorpusDir })
        {
            psi.ArgumentList.Add(a);
        }

        ApplyMalloc(psi, o.Malloc);
        var name = mode switch
        {
            "legacy" => "sharp: earlier system (pipeline per size+format)",
            "best" => "sharp: best (clone per size, in parallel)",
            _ => "decode-only (sharp)",
        } + $" [vips 8.18] [{o.Malloc}]";
        return new Scenario(name, concurrency, psi);
    }

    private static async Task<List<Row>> RunRoundsAsync(List<Scenario> scenarios, int rounds)
    {
        var throughput = scenarios.ToDictionary(s => s, _ => new List<double>());
        var latencies = scenarios.ToDictionary(s => s, _ => new List<double>());
        var peak = scenarios.ToDictionary(s => s, _ => 0.0);
        var failed = new HashSet<Scenario>();
        for (var round = 0; round < rounds; round++)
        {
            // Rotate the order each round so no scenario always follows the same one.
            var order = scenarios.Skip(round % scenarios.Count).Concat(scenarios.Take(round % scenarios.Count));
            foreach (var s in order)
            {
                var r = await RunChildAsync(s, round);
                if (r is null)
                {
                    failed.Add(s);
                    continue;
                }

                throughput[s].Add(r.ImagesPerSecond);
                latencies[s].AddRange(r.Latencies);
                peak[s] = Math.Max(peak[s], r.PeakRssMb);
            }
        }

        return [.. scenarios.Select(s =>
        {
            var l = latencies[s].Order().ToList();
            var t = throughput[s].Order().ToList();
            return new Row(s.Name + (failed.Contains(s) ? " (FAILED)" : ""), s.Concurrency,
                t.Count == 0 ? 0 : t[t.Count / 2], Percentile(l, 0.50), Percentile(l, 0.95), peak[s]);
        })];
    }

    private static async Task<ChildResult?> RunChildAsync(Scenario s, int round)
    {
        Console.Error.Write($"round {round + 1}: {s.Name} at concurrency {s.Concurrency} ... ");
        using var p = Process.Start(s.Start) ?? throw new InvalidOperationException("could not start " + s.Start.FileName);
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (p.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"failed (exit {p.ExitCode}): {output}");
            return null;
        }

        var r = JsonSerializer.Deserialize<ChildResult>(line, Json)!;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.ImagesPerSecond:0.00} images/s, peak RSS {r.PeakRssMb:0} MB"));
        return r;
    }

    /// <summary>Child side: one scenario in this process, printing one JSON line.</summary>
    private static async Task<int> RunScenarioAsync(BenchOptions o)
    {
        var files = Corpus(o.CorpusDir);
        if (o.Scenario == "micro")
        {
            // Per-job overhead on a small image, for each part of the default job.
            var e = new VipsImageEngine();
            using var img = ImageFields.Load("jpegload_buffer", File.ReadAllBytes(files[0]), new VOption { { "shrink", 8 } });
            using var small = img.Resize(160.0 / img.Width);
            var bytes = small.Save("jpegsave_buffer");
            var specs = new (string, ImageJobSpec)[]
            {
                ("default", ImageJobSpec.Default),
                ("no placeholder", ImageJobSpec.Default with { Placeholder = false }),
                ("original jpeg only", new ImageJobSpec { Presets = [ImagePreset.Original], Formats = OutputFormats.Jpeg, Placeholder = false }),
                ("thumbnail jpeg only", new ImageJobSpec { Presets = [ImagePreset.Thumbnail], Formats = OutputFormats.Jpeg, Placeholder = false }),
                ("small webp only", new ImageJobSpec { Presets = [ImagePreset.Small], Formats = OutputFormats.WebP, Placeholder = false }),
                ("enhance", ImageJobSpec.Default with { Enhance = true }),
            };
            foreach (var (name, spec) in specs)
            {
                await e.ProcessAsync(bytes, spec);
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < 50; i++)
                {
                    await e.ProcessAsync(bytes, spec);
                }

                Console.WriteLine($"{name}: {sw.Elapsed.TotalMilliseconds / 50:0.0} ms/job ({small.Width}x{small.Height})");
            }

            // One full-size photo, default set with and without the enhanced set.
            var photo = File.ReadAllBytes(files.MaxBy(f => new FileInfo(f).Length)!);
            foreach (var enhance in new[] { false, true })
            {
                var sw = Stopwatch.StartNew();
                var r = await e.ProcessAsync(photo, ImageJobSpec.Default with { Enhance = enhance });
                Console.WriteLine($"{r.Original.Width}x{r.Original.Height}, enhance={enhance}: {sw.Elapsed.TotalMilliseconds:0} ms");
            }

            return 0;
        }

        if (o.Scenario == "memory-trace")
        {
            Console.WriteLine($"start: {Rss()}");
            var e = new VipsImageEngine();
            Console.WriteLine($"engine: {Rss()}");
            var inputs = files.Select(File.ReadAllBytes).ToList();
            foreach (var input in inputs)
            {
                DecodeOnly(input);
            }

            Console.WriteLine($"decoded all once: {Rss()} peak {PeakRssMb():0}");
            await e.ProcessAsync(inputs[4], ImageJobSpec.Default);
            Console.WriteLine($"one job: {Rss()} peak {PeakRssMb():0} native {NativeMemoryStats.Current}");
            return 0;
        }

        var options = new ImagingOptions { EncodeParallelism = Environment.ProcessorCount, Engine = o.Engine };
        o.Budgets[0].ApplyTo(options);
        var engine = ImageEngines.Create(options);
        // Each job reads its file, as the processing service reads each original from storage.
        Func<string, Task> job = o.Scenario switch
        {
            "ours" => async file => await engine.ProcessAsync(await File.ReadAllBytesAsync(file), ImageJobSpec.Default),
            "decode" => async file => DecodeOnly(await File.ReadAllBytesAsync(file)),
            _ => throw new ArgumentException("unknown scenario " + o.Scenario),
        };

        // Warm-up on one image; the peak RSS covers the whole child run, as node's maxRSS does for Sharp.
        await job(files[0]);
        var (elapsed, latencies) = await RunPassesAsync(files, o.Passes, o.Concurrency[0], job);
        var result = new ChildResult(latencies.Count / elapsed.TotalSeconds, latencies, PeakRssMb());
        Console.WriteLine(JsonSerializer.Serialize(result, Json));
        return 0;
    }

    private static void DecodeOnly(byte[] input)
    {
        using var image = ImageFields.Load("jpegload_buffer", input, new VOption { { "access", Enums.Access.Sequential } });
        using var memory = image.CopyMemory();
    }

    private static async Task<(TimeSpan Elapsed, List<double> Latencies)> RunPassesAsync(
        List<string> inputs, int passes, int concurrency, Func<string, Task> job)
    {
        var queue = new Queue<string>(Enumerable.Range(0, passes).SelectMany(_ => inputs));
        var latencies = new List<double>();
        var gate = new Lock();
        var total = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                string next;
                lock (gate)
                {
                    if (!queue.TryDequeue(out next!))
                    {
                        return;
                    }
                }

                var watch = Stopwatch.StartNew();
                await job(next);
                lock (gate)
                {
                    latencies.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }));
        await Task.WhenAll(workers);
        return (total.Elapsed, latencies);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Rss() =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));

    private static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                return kb / 1024;
            }
        }

        return 0;
    }

    private sealed record Row(string Name, int Concurrency, double ImagesPerSecond, double P50, double P95, double PeakRssMb);

    private sealed record ChildResult(double ImagesPerSecond, List<double> Latencies, double PeakRssMb);

    private sealed class BenchOptions
    {
        public string CorpusDir { get; private set; } = DefaultCorpus;

        public int Passes { get; private set; } = 1;

        public int Rounds { get; private set; } = 3;

        public List<int> Concurrency { get; private set; } = [1, 2];

        public List<string> Libraries { get; } = [];

        public string Malloc { get; private set; } = "arena2+mmap1m";

        public bool CompareMalloc { get; private set; }

        public bool SkipSharp { get; private set; }

        /// <summary>Also run our Skia engine (<c>--skip-skia</c> leaves it out).</summary>
        public bool Skia { get; private set; } = true;

        /// <summary>The engine a child scenario runs (<c>--engine vips|skia</c>).</summary>
        public string Engine { get; private set; } = ImageEngines.Vips;

        public bool Check24Mp { get; private set; } = true;

        /// <summary>Memory budgets our engine runs under, one scenario each (the engine's defaults unless given).</summary>
        public List<Budgets> Budgets { get; private set; } = [Imaging.Budgets.Default];

        public BenchOptions WithCorpus(string dir)
        {
            var copy = (BenchOptions)MemberwiseClone();
            copy.CorpusDir = dir;
            return copy;
        }

        public string SharpDir { get; private set; } = FindSharpDir();

        public string? Scenario { get; private set; }

        /// <summary>The sharp folder of the source tree (its node_modules come from `npm ci` there).</summary>
        private static string FindSharpDir()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "Stox.Benchmarks", "Imaging", "sharp");
                if (File.Exists(Path.Combine(candidate, "package.json")))
                {
                    return candidate;
                }
            }

            return Path.Combine(Environment.CurrentDirectory, "Stox.Benchmarks", "Imaging", "sharp");
        }

        /// <summary>
        /// Installs Sharp (npm ci in its folder) when its packages are missing or older than its lock file, as
        /// ./build.sh does for the other node folders; false (Sharp's rows are left out, with a note) when that fails.
        /// </summary>
        private static bool EnsureSharp(string dir)
        {
            var stamp = Path.Combine(dir, "node_modules", ".stox-lock");
            var lockFile = Path.Combine(dir, "package-lock.json");
            if (File.Exists(stamp) && File.ReadAllText(stamp) == File.ReadAllText(lockFile))
            {
                return true;
            }

            Console.Error.WriteLine($"installing Sharp: npm ci in {dir}");
            try
            {
                // npm's output goes to stderr: stdout is the Markdown table.
                var psi = new ProcessStartInfo("npm") { WorkingDirectory = dir, UseShellExecute = false, RedirectStandardOutput = true };
                foreach (var a in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
                {
                    psi.ArgumentList.Add(a);
                }

                using var npm = Process.Start(psi)!;
                Console.Error.Write(npm.StandardOutput.ReadToEnd());
                npm.WaitForExit();
                if (npm.ExitCode == 0)
                {
                    File.Copy(lockFile, stamp, overwrite: true);
                    return true;
                }

                Console.Error.WriteLine($"npm ci failed (exit {npm.ExitCode}): Sharp's rows are left out");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                Console.Error.WriteLine($"npm not found ({e.Message}): apt-get install nodejs npm; Sharp's rows are left out");
            }

            return false;
        }

        public static BenchOptions Parse(string[] args)
        {
            var o = new BenchOptions();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--corpus": o.CorpusDir = Next(); break;
                    case "--passes": o.Passes = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--rounds": o.Rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--concurrency": o.Concurrency = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                    case "--lib": o.Libraries.Add(Next()); break;
                    case "--malloc": o.Malloc = Next(); break;
                    case "--compare-malloc": o.CompareMalloc = true; break;
                    case "--skip-sharp": o.SkipSharp = true; break;
                    case "--skip-skia": o.Skia = false; break;
                    case "--engine": o.Engine = Next(); break;
                    case "--skip-24mp": o.Check24Mp = false; break;
                    case "--sharp-dir": o.SharpDir = Next(); break;
                    case "--scenario": o.Scenario = Next(); break;
                    case "--budgets": o.Budgets = [.. Next().Split(',').Select(Imaging.Budgets.Parse)]; break;
                    default: throw new ArgumentException("unknown option " + args[i]);
                }
            }

            if (o.Scenario is null && !o.SkipSharp)
            {
                o.SkipSharp = !EnsureSharp(o.SharpDir);
            }

            if (o.Libraries.Count == 0)
            {
                // Debian's 8.14, and the 8.18 inside Sharp's npm package when `npm ci` has run.
                o.Libraries.Add("libvips.so.42");
                var npm = Path.Combine(o.SharpDir, "node_modules", "@img", "sharp-libvips-linux-x64", "lib");
                var newer = Directory.Exists(npm) ? Directory.GetFiles(npm, "libvips-cpp.so.8.*").FirstOrDefault() : null;
                if (newer is not null && !o.Libraries.Contains(newer))
                {
                    o.Libraries.Add(newer);
                }
            }

            return o;
        }
    }
}

/// <summary>
/// The engine's two memory budgets in MB, written <c>DECODE/ENCODE</c> (<c>90/100</c>), <c>off</c> for no limit, or
/// <c>default</c> for the engine's own: the knob that trades a worker's peak memory for throughput.
/// </summary>
internal sealed record Budgets(double? DecodeMb, double? EncodeMb)
{
    private const double Unlimited = 1_000_000; // 1 TB: never waits

    public static Budgets Default { get; } = new(null, null);

    public bool IsDefault => DecodeMb is null && EncodeMb is null;

    public static Budgets Parse(string text)
    {
        if (text is "default")
        {
            return Default;
        }

        var parts = text.Split('/');
        if (parts.Length != 2)
        {
            throw new ArgumentException($"--budgets takes DECODE/ENCODE in MB (90/100, off/off) or default, not '{text}'");
        }

        return new Budgets(Mb(parts[0]), Mb(parts[1]));

        static double Mb(string part) =>
            part is "off" ? Unlimited
            : double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var mb) && mb > 0 ? mb
            : throw new ArgumentException($"--budgets: '{part}' is not a positive number of MB or off");
    }

    public void ApplyTo(ImagingOptions options)
    {
        if (DecodeMb is { } decode)
        {
            options.DecodeBudgetBytes = (long)(decode * 1_000_000);
        }

        if (EncodeMb is { } encode)
        {
            options.LargeEncodeBudgetBytes = (long)(encode * 1_000_000);
        }
    }

    public override string ToString() => IsDefault ? "default" : $"{Format(DecodeMb)}/{Format(EncodeMb)}";

    private static string Format(double? mb) =>
        mb is null ? "default" : mb >= Unlimited ? "off" : mb.Value.ToString("0.#", CultureInfo.InvariantCulture);
}
