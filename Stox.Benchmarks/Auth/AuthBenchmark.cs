using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Benchmarks.Auth;

/// <summary>
/// The auth suite (see Stox.Auth/README.md, "Performance"): PBKDF2 cost at the production iteration count, login
/// throughput and latency, refresh latency against a running auth service, and the shared JWT validator's cost per
/// token, measured on the validation the services run (Stox.ServiceDefaults' parameters on Microsoft.IdentityModel's
/// JsonWebTokenHandler, what JwtBearer calls).
/// </summary>
public static class AuthBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: auth --url <auth base URL> [--auth <Stox.Auth.dll>] [--iterations 600000] [--hash-runs 10] [--logins 40] [--concurrency 2] [--refreshes 300] [--validations 20000]");
            return 2;
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInfo()}, load average {LoadAverage()}");
        MeasureHash(options);
        if (options.Url is null)
        {
            return 0;
        }

        using var http = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromMinutes(2) };
        // A documentation-range client address of its own, so the benchmark never meets another caller's limits.
        http.DefaultRequestHeaders.Add("X-Forwarded-For", $"203.0.113.{RandomNumberGenerator.GetInt32(1, 255)}");
        var email = $"bench-{Guid.NewGuid():N}@stox.test";
        const string password = "benchmark-password-1";
        using (var register = await http.PostAsJsonAsync("/api/auth/register", new { email, password }))
        {
            register.EnsureSuccessStatusCode();
        }

        var token = await MeasureLoginsAsync(http, email, password, options);
        await MeasureRefreshesAsync(http, token.Refresh, options);
        await MeasureValidationAsync(http, token.Access, options);

        return 0;
    }

    private static void MeasureHash(Options options)
    {
        if (options.Auth is { } authAssembly)
        {
            // The service's own PBKDF2 (Stox.Auth.Passwords.Pbkdf2Sha256), what a login pays.
            var derive = Assembly.LoadFrom(Path.GetFullPath(authAssembly))
                .GetType("Stox.Auth.Passwords.Pbkdf2Sha256", throwOnError: true)!
                .GetMethod("DeriveKey", BindingFlags.Public | BindingFlags.Static)!
                .CreateDelegate<Func<byte[], byte[], int, int, byte[]>>();
            MeasureHash("PBKDF2-HMAC-SHA256, Stox.Auth (libcrypto compression)", (p, s) => derive(p, s, options.Iterations, 32), options);
        }

        MeasureHash("PBKDF2-HMAC-SHA256, .NET's Rfc2898DeriveBytes", (p, s) => Rfc2898DeriveBytes.Pbkdf2(p, s, options.Iterations, HashAlgorithmName.SHA256, 32), options);
    }

    private static void MeasureHash(string name, Func<byte[], byte[], byte[]> derive, Options options)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var password = Encoding.UTF8.GetBytes("benchmark-password-1");
        derive(password, salt); // warm-up
        var times = new List<double>();
        var cpu = CpuTime();
        for (var i = 0; i < options.HashRuns; i++)
        {
            var started = Stopwatch.GetTimestamp();
            derive(password, salt);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var cpuMs = (CpuTime() - cpu).TotalMilliseconds / options.HashRuns;
        Console.WriteLine($"hash: {name} x {options.Iterations:N0}: {cpuMs:F1} ms CPU per hash; wall median {Percentile(times, 50):F1} ms, min {times.Min():F1} ms, max {times.Max():F1} ms ({options.HashRuns} runs)");
    }

    private static async Task<(string Access, string Refresh)> MeasureLoginsAsync(HttpClient http, string email, string password, Options options)
    {
        for (var i = 0; i < 2; i++)
        {
            await LoginAsync(http, email, password); // warm-up
        }

        var latencies = new List<double>();
        var next = 0;
        (string, string) last = default;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= options.Logins)
            {
                var started = Stopwatch.GetTimestamp();
                var pair = await LoginAsync(http, email, password);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(elapsed);
                    last = pair;
                }
            }
        }));
        wall.Stop();
        Console.WriteLine($"login: {options.Logins} logins, {options.Concurrency} concurrent: {options.Logins / wall.Elapsed.TotalSeconds:F2} logins/s, p50 {Percentile(latencies, 50):F1} ms, p99 {Percentile(latencies, 99):F1} ms");
        return last;
    }

    private static async Task MeasureRefreshesAsync(HttpClient http, string refreshToken, Options options)
    {
        var latencies = new List<double>();
        for (var i = 0; i < options.Refreshes + 20; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken });
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            refreshToken = body.GetProperty("refreshToken").GetString()!;
            if (i >= 20)
            {
                latencies.Add(elapsed); // the first 20 warm up JIT, pools and caches
            }
        }

        Console.WriteLine($"refresh: {options.Refreshes} sequential refreshes (rotation, one chain): p50 {Percentile(latencies, 50):F2} ms, p99 {Percentile(latencies, 99):F2} ms (client-measured over loopback HTTP)");
    }

    private static async Task MeasureValidationAsync(HttpClient http, string accessToken, Options options)
    {
        // What every service runs per request: JwtBearer's JsonWebTokenHandler with Stox's parameters and rules,
        // the keys already fetched from the JWKS (as the ConfigurationManager holds them between refreshes).
        var parameters = StoxTokenValidation.CreateParameters(new StoxJwtOptions());
        parameters.IssuerSigningKeys = new JsonWebKeySet(await http.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative))).GetSigningKeys();
        var handler = new JsonWebTokenHandler { MapInboundClaims = false, MaximumTokenSizeInBytes = StoxTokenValidation.MaxTokenLength };
        async ValueTask<bool> Validate()
        {
            var result = await handler.ValidateTokenAsync(accessToken, parameters);
            return result.IsValid && StoxTokenValidation.CheckStoxRules(result.SecurityToken, result.ClaimsIdentity, parameters.ClockSkew) is null;
        }

        if (!await Validate())
        {
            throw new InvalidOperationException("The benchmark token does not validate.");
        }

        for (var i = 0; i < 2_000; i++)
        {
            await Validate();
        }

        // Batches of 100 give a distribution without timer overhead on every call.
        var perCall = new List<double>();
        var cpu = CpuTime();
        var total = Stopwatch.StartNew();
        for (var batch = 0; batch < options.Validations / 100; batch++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < 100; i++)
            {
                await Validate();
            }

            perCall.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / 100);
        }

        total.Stop();
        var count = options.Validations / 100 * 100;
        var cpuUs = (CpuTime() - cpu).TotalMicroseconds / count;
        var mean = total.Elapsed.TotalMicroseconds / count;
        Console.WriteLine($"jwt: RS256 validation (JsonWebTokenHandler + Stox rules, keys cached): {cpuUs:F1} us CPU per token; wall mean {mean:F1} us, p50 {Percentile(perCall, 50):F1} us, p99 {Percentile(perCall, 99):F1} us (batches of 100), one thread ({count:N0} tokens)");
    }

    private static async Task<(string Access, string Refresh)> LoginAsync(HttpClient http, string email, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("accessToken").GetString()!, body.GetProperty("refreshToken").GetString()!);
    }

    private static double Percentile(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var index = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    /// <summary>CPU time of this process: unlike wall time it does not grow when other work shares the cores.</summary>
    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string RuntimeInfo() => $".NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    private sealed record Options(Uri? Url, string? Auth, int Iterations, int HashRuns, int Logins, int Concurrency, int Refreshes, int Validations);

    private static Options? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return null;
            }

            values[args[i][2..]] = args[++i];
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(
            values.TryGetValue("url", out var url) ? new Uri(url) : null,
            values.GetValueOrDefault("auth"),
            Int("iterations", 600_000),
            Int("hash-runs", 10),
            Int("logins", 40),
            Int("concurrency", 2),
            Int("refreshes", 300),
            Int("validations", 20_000));
    }
}
