using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stox.Imaging;
using Stox.Jobs.Generations.Providers;

namespace Stox.Tests.Generations;

/// <summary>Both provider clients against the stand-in over real HTTP: what they send, what they read, how they fail.</summary>
public sealed class ProviderClientTests
{
    private const string Stability = GenerationProviderOptions.Stability;
    private const string OpenAi = GenerationProviderOptions.OpenAi;

    public static TheoryData<string> Providers => new() { Stability, OpenAi };

    private static ProviderRequest Request(string prompt, int count = 1, long? seed = null, string? style = null, string? negative = null, string ratio = AspectRatios.Default) =>
        new(prompt, negative, style, ratio, seed, count);

    private static string Unique(string marker = "") => $"a lighthouse at dusk {Guid.NewGuid():N} {marker}".Trim();

    // ------------------------------------------------------------------ success

    [Fact]
    public async Task Stability_generates_one_call_per_image_with_documented_fields_and_reads_seed_and_finish_reason()
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, Stability);
        var prompt = Unique();

        var images = await host.Provider.GenerateAsync(Request(prompt, count: 3, seed: 42, style: "cinematic", negative: "blur", ratio: "16:9"), CancellationToken.None);

        Assert.Equal("stability", host.Provider.Name);
        Assert.Equal("core", host.Provider.Model);
        Assert.Equal(3, images.Count);
        Assert.Equal([42L, 43L, 44L], images.Select(i => i.Seed!.Value));
        Assert.All(images, image => Assert.Equal("SUCCESS", image.FinishReason));
        var engine = new VipsImageEngine(new ImagingOptions());
        Assert.All(images, image =>
        {
            var info = engine.Probe(image.Bytes);
            Assert.Equal(ImageFormat.Png, info.Format);
            Assert.Equal((64, 64), (info.Width, info.Height));
        });

        var requests = standIn.RequestsWithPrompt(prompt);
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("/v2beta/stable-image/generate/core", r.Path);
            Assert.Equal($"Bearer {standIn.ApiKey}", r.Headers["Authorization"]);
            Assert.Contains("image/*", r.Headers["Accept"], StringComparison.Ordinal);
            Assert.StartsWith("multipart/form-data", r.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.Equal(prompt, r.Fields["prompt"]);
            Assert.Equal("blur", r.Fields["negative_prompt"]);
            Assert.Equal("16:9", r.Fields["aspect_ratio"]);
            Assert.Equal("cinematic", r.Fields["style_preset"]);
            Assert.Equal("png", r.Fields["output_format"]);
            Assert.False(r.Fields.ContainsKey("model"));
        });
        Assert.Equal(["42", "43", "44"], requests.Select(r => r.Fields["seed"]).Order());
    }

    [Fact]
    public async Task Stability_sd3_variants_go_to_the_sd3_endpoint_and_name_the_model_and_optional_fields_stay_out()
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, Stability, ("Model", "sd3.5-large"));
        var prompt = Unique();

        var images = await host.Provider.GenerateAsync(Request(prompt), CancellationToken.None);

        var image = Assert.Single(images);
        Assert.NotNull(image.Seed); // the provider picked one and said so in its seed header
        var request = Assert.Single(standIn.RequestsWithPrompt(prompt));
        Assert.Equal("/v2beta/stable-image/generate/sd3", request.Path);
        Assert.Equal("sd3.5-large", request.Fields["model"]);
        Assert.Equal("1:1", request.Fields["aspect_ratio"]);
        Assert.False(request.Fields.ContainsKey("seed"));
        Assert.False(request.Fields.ContainsKey("negative_prompt"));
        Assert.False(request.Fields.ContainsKey("style_preset"));
    }

    [Fact]
    public async Task OpenAi_sends_one_documented_json_request_for_n_images_and_decodes_them()
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, OpenAi);
        var prompt = Unique();

        var images = await host.Provider.GenerateAsync(Request(prompt, count: 2, seed: 7, style: "neon-punk", negative: "text, watermark", ratio: "9:16"), CancellationToken.None);

        Assert.Equal("openai", host.Provider.Name);
        Assert.Equal("gpt-image-1", host.Provider.Model);
        Assert.Equal(2, images.Count);
        Assert.All(images, image => Assert.True(image.Bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47])));
        var request = Assert.Single(standIn.RequestsWithPrompt(prompt));
        Assert.Equal("/v1/images/generations", request.Path);
        Assert.Equal($"Bearer {standIn.ApiKey}", request.Headers["Authorization"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var json = request.Json!;
        Assert.Equal("gpt-image-1", json["model"]!.GetValue<string>());
        Assert.Equal(2, json["n"]!.GetValue<int>());
        Assert.Equal("1024x1536", json["size"]!.GetValue<string>());
        Assert.Null(json["response_format"]); // GPT image models refuse it and always answer base64
        var sent = json["prompt"]!.GetValue<string>();
        Assert.StartsWith(prompt, sent, StringComparison.Ordinal);
        Assert.Contains("Style: neon punk.", sent, StringComparison.Ordinal);
        Assert.Contains("Avoid: text, watermark", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAi_dall_e_3_gets_one_image_per_call_its_own_sizes_and_b64_json()
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, OpenAi, ("Model", "dall-e-3"));
        var prompt = Unique();

        var images = await host.Provider.GenerateAsync(Request(prompt, count: 2, ratio: "16:9"), CancellationToken.None);

        Assert.Equal(2, images.Count);
        var requests = standIn.RequestsWithPrompt(prompt);
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal(1, r.Json!["n"]!.GetValue<int>());
            Assert.Equal("1792x1024", r.Json["size"]!.GetValue<string>());
            Assert.Equal("b64_json", r.Json["response_format"]!.GetValue<string>());
        });
    }

    [Theory]
    [InlineData("gpt-image-1", "1:1", "1024x1024")]
    [InlineData("gpt-image-1", "21:9", "1536x1024")]
    [InlineData("gpt-image-1", "4:5", "1024x1536")]
    [InlineData("dall-e-3", "9:21", "1024x1792")]
    [InlineData("dall-e-2", "16:9", "1024x1024")]
    [InlineData("flux-schnell", "3:2", "1536x1024")]
    public void OpenAi_maps_aspect_ratios_onto_its_sizes(string model, string ratio, string size)
    {
        var provider = new OpenAiImageProvider(new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(),
            new GenerationProviderOptions { Provider = OpenAi, ApiKey = "k", Model = model }, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OpenAiImageProvider>.Instance);

        Assert.Equal(size, provider.SizeFor(ratio));
    }

    // ------------------------------------------------------------------ refusals and bad answers

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Refused_prompt_is_ContentRefused_with_the_providers_words_and_no_retry(string provider)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, provider);
        var prompt = Unique("[refuse]");

        // Three images: Stability's calls run two at a time, and the first refusal must surface as itself.
        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(prompt, count: 3), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.ContentRefused, e.Kind);
        Assert.Equal(provider == Stability ? 403 : 400, e.StatusCode);
        Assert.StartsWith("The provider refused the prompt: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(provider == Stability ? "content moderation" : "safety system", e.Message, StringComparison.Ordinal);
        // No retry: at most one request per image in flight when the refusal came (OpenAI asks for all three at once).
        Assert.InRange(standIn.RequestsWithPrompt(prompt).Count, 1, provider == Stability ? 2 : 1);
    }

    [Fact]
    public async Task Stability_content_filtered_finish_reason_is_ContentRefused()
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, Stability);

        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(Unique("[filtered]")), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.ContentRefused, e.Kind);
        Assert.Contains("CONTENT_FILTERED", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Stability, "[not-an-image]")]
    [InlineData(OpenAi, "[not-an-image]")]
    [InlineData(OpenAi, "[bad-base64]")]
    [InlineData(OpenAi, "[wrong-count]")]
    public async Task Success_that_is_not_what_the_provider_documents_is_BadResponse(string provider, string marker)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, provider);
        var prompt = Unique(marker);

        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(prompt, count: provider == OpenAi ? 2 : 1), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.BadResponse, e.Kind);
        Assert.Equal(200, e.StatusCode);
        Assert.StartsWith("The provider answered success", e.Message, StringComparison.Ordinal);
        Assert.Single(standIn.RequestsWithPrompt(prompt));
    }

    [Theory]
    [InlineData(Stability, "sd3-bogus", 400, "model: must be one of")]
    [InlineData(OpenAi, "no-such-model", 404, "does not exist")]
    public async Task Request_the_provider_calls_wrong_is_InvalidRequest_with_its_words_and_no_retry(string provider, string model, int status, string words)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, provider, ("Model", model));
        var prompt = Unique();

        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(prompt), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.InvalidRequest, e.Kind);
        Assert.Equal(status, e.StatusCode);
        Assert.StartsWith($"The provider rejected the request (HTTP {status}): ", e.Message, StringComparison.Ordinal);
        Assert.Contains(words, e.Message, StringComparison.Ordinal);
        Assert.Single(standIn.RequestsWithPrompt(prompt));
    }

    [Fact]
    public async Task OpenAi_exhausted_quota_is_Unavailable_at_once_and_says_so()
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, OpenAi);
        var prompt = Unique("[quota]");

        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(prompt), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Unavailable, e.Kind);
        Assert.Equal(429, e.StatusCode);
        Assert.Contains("no quota left", e.Message, StringComparison.Ordinal);
        Assert.Single(standIn.RequestsWithPrompt(prompt));
    }

    // ------------------------------------------------------------------ retries, deadlines, cancellation

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rate_limited_once_then_success_waits_the_Retry_After(string provider)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, provider);
        var prompt = Unique("[429]");

        var images = await host.Provider.GenerateAsync(Request(prompt), CancellationToken.None);

        Assert.Single(images);
        var requests = standIn.RequestsWithPrompt(prompt);
        Assert.Equal(2, requests.Count);
        // Retry-After: 1 against a 50 ms back-off: the provider's word wins (a little slack for clock granularity).
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(900),
            $"retried after {(requests[1].ReceivedAt - requests[0].ReceivedAt).TotalMilliseconds} ms");
        Assert.Contains(host.Logs.Lines, line => line.Contains("[GenerationProviderRetrying]", StringComparison.Ordinal) && line.Contains("HTTP 429", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Always_rate_limited_is_RateLimited_after_every_attempt_with_Retry_After_capped(string provider)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, provider, ("MaxAttempts", "3"), ("MaxRetryAfter", "00:00:00.100"));
        var prompt = Unique("[busy]");

        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(prompt), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.RateLimited, e.Kind);
        Assert.Equal(429, e.StatusCode);
        Assert.Equal("The provider is rate limiting requests (HTTP 429) after 3 attempts.", e.Message);
        var requests = standIn.RequestsWithPrompt(prompt);
        Assert.Equal(3, requests.Count);
        // Uncapped, two waits of Retry-After: 1 would take 2 s; capped at 100 ms they take 0.2 s (slack for a loaded machine).
        Assert.True(requests[^1].ReceivedAt - requests[0].ReceivedAt < TimeSpan.FromMilliseconds(1800), "Retry-After: 1 was not capped at 100 ms");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Always_500_is_Unavailable_after_MaxAttempts(string provider)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, provider, ("MaxAttempts", "4"));
        var prompt = Unique("[500]");

        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(prompt), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Unavailable, e.Kind);
        Assert.Equal(500, e.StatusCode);
        Assert.Equal("The provider is unavailable (HTTP 500) after 4 attempts.", e.Message);
        Assert.Equal(4, standIn.RequestsWithPrompt(prompt).Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task No_answer_within_the_attempt_deadline_is_TimedOut_after_every_attempt(string provider)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.For(standIn, provider, ("RequestTimeout", "00:00:00.300"), ("MaxAttempts", "2"));
        var prompt = Unique("[slow]");
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(prompt), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.TimedOut, e.Kind);
        Assert.Null(e.StatusCode);
        Assert.Equal("The provider did not answer within 0.3 s (2 attempts).", e.Message);
        // On a loaded machine the second attempt's deadline can pass before its request reaches the stand-in.
        Assert.InRange(standIn.RequestsWithPrompt(prompt).Count, 1, 2);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Unreachable_provider_is_Unavailable_after_every_attempt()
    {
        int port;
        await using (var gone = await ProviderStandIn.StartAsync())
        {
            port = new Uri(gone.BaseUrl).Port;
        }

        await using var host = ProviderTestHost.Create(new Dictionary<string, string?>
        {
            ["Provider"] = Stability, ["Endpoint"] = $"http://127.0.0.1:{port}", ["ApiKey"] = ProviderStandIn.DefaultApiKey, ["MaxAttempts"] = "2",
        });

        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(Unique()), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Unavailable, e.Kind);
        Assert.StartsWith("The provider could not be reached", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("after 2 attempts.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Stability, false)]
    [InlineData(Stability, true)]
    [InlineData(OpenAi, false)]
    [InlineData(OpenAi, true)]
    public async Task Wrong_or_revoked_key_is_KeyRejected_without_retry(string provider, bool revoked)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        const string wrongKey = "sk-wrong-key-9f8e7d6c5b4a";
        await using var host = ProviderTestHost.For(standIn, provider, ("ApiKey", revoked ? standIn.ApiKey : wrongKey));
        standIn.KeyRevoked = revoked;
        var prompt = Unique();

        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(prompt), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.KeyRejected, e.Kind);
        Assert.Equal(401, e.StatusCode);
        Assert.Equal("The provider rejected the API key.", e.Message);
        Assert.Single(standIn.RequestsWithPrompt(prompt));
    }

    [Theory]
    [InlineData(Stability, "[slow]")]
    [InlineData(OpenAi, "[slow]")]
    [InlineData(Stability, "[busy]")]
    [InlineData(OpenAi, "[busy]")]
    public async Task Caller_cancellation_stops_at_once_as_OperationCanceledException(string provider, string marker)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        // [slow] is cancelled while the answer is awaited, [busy] while waiting out Retry-After: 1 (RetryDelay is not used).
        await using var host = ProviderTestHost.For(standIn, provider, ("RequestTimeout", "00:01:00"), ("MaxAttempts", "4"));
        var prompt = Unique(marker);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        var e = await Record.ExceptionAsync(() => host.Provider.GenerateAsync(Request(prompt), cancel.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}"); // [slow] would take 30 s, [busy] 3 s and more
        Assert.Single(standIn.RequestsWithPrompt(prompt));
    }

    // ------------------------------------------------------------------ the key never leaks

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_api_key_appears_in_no_message_log_or_trace(string provider)
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        standIn.ApiKey = $"sk-secret-{Guid.NewGuid():N}";
        await using var host = ProviderTestHost.For(standIn, provider, ("RequestTimeout", "00:00:00.300"), ("MaxAttempts", "2"), ("MaxRetryAfter", "00:00:00.050"));
        var texts = new List<string>();

        await host.Provider.GenerateAsync(Request(Unique()), CancellationToken.None);
        foreach (var marker in new[] { "[refuse]", "[busy]", "[500]", "[slow]", "[not-an-image]", "[quota]" })
        {
            var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(Unique(marker)), CancellationToken.None));
            texts.Add(e.ToString());
        }

        // The stand-in's OpenAI 401 quotes the presented key in full (the real one quotes part of it): it must be cut out.
        standIn.KeyRevoked = true;
        var rejected = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(Request(Unique()), CancellationToken.None));
        texts.Add(rejected.ToString());

        Assert.Contains(standIn.Requests, r => r.Headers["Authorization"] == $"Bearer {standIn.ApiKey}");
        // HttpClient's own Trace logging writes the request headers: the Authorization value is redacted.
        Assert.Contains(host.Logs.Lines, line => line.Contains("Authorization: *", StringComparison.Ordinal));
        Assert.NotEmpty(host.Traces);
        Assert.All(texts.Concat(host.Logs.Lines).Concat(host.Traces), text => Assert.DoesNotContain(standIn.ApiKey, text, StringComparison.Ordinal));
    }

    [Fact]
    public void Retry_After_is_read_as_seconds_or_as_an_HTTP_date()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var pipeline = new ProviderPipeline("test", new GenerationProviderOptions(), new FixedTime(now),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        Assert.Equal(TimeSpan.FromSeconds(2), pipeline.RetryAfter(new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2))));
        Assert.Equal(TimeSpan.FromSeconds(5), pipeline.RetryAfter(new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddSeconds(5))));
        Assert.Equal(TimeSpan.Zero, pipeline.RetryAfter(new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddSeconds(-5))));
        Assert.Null(pipeline.RetryAfter(null));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Provider_text_quoted_in_messages_has_the_key_cut_out()
    {
        Assert.Equal("Incorrect API key provided: ***. Try again.", ProviderText.Scrub("Incorrect API key provided: sk-123.\nTry again.", "sk-123"));
    }
}
