using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Stox.Jobs.Generations.Providers;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Generations;

/// <summary>
/// A test stand-in for the AI image providers: a real local HTTP server (Kestrel) that speaks Stability AI's v2beta
/// Stable Image API at <see cref="StabilityBaseUrl"/> and OpenAI's Images API at <see cref="OpenAiBaseUrl"/>, with their
/// documented error shapes, and answers real 64x64 PNGs. What it does is chosen by markers in the prompt, so whole-system
/// tests can drive it through the public API:
/// <list type="bullet">
/// <item><c>[refuse]</c>: moderation refuses (Stability 403 content_moderation; OpenAI 400 content_policy_violation).</item>
/// <item><c>[filtered]</c>: Stability answers 200 with <c>finish-reason: CONTENT_FILTERED</c> (OpenAI: as [refuse]).</item>
/// <item><c>[429]</c>: the first request with that prompt is rate limited (Retry-After: 1), the next ones succeed.</item>
/// <item><c>[busy]</c>: always 429 with Retry-After: 1.</item>
/// <item><c>[quota]</c>: OpenAI's 429 insufficient_quota (Stability: as [busy]).</item>
/// <item><c>[500]</c>: always 500.</item>
/// <item><c>[slow]</c>: waits 30 s (or until the client goes away), then succeeds.</item>
/// <item><c>[not-an-image]</c>: 200 with bytes that are not an image (OpenAI: valid base64 of them).</item>
/// <item><c>[bad-base64]</c>, <c>[wrong-count]</c>: OpenAI only: b64_json that is not base64; one image fewer than asked.</item>
/// </list>
/// The bearer key must be <see cref="ApiKey"/>; <see cref="KeyRevoked"/> makes every request a 401.
/// </summary>
public sealed class ProviderStandIn : IAsyncDisposable
{
    public const string DefaultApiKey = "sk-stand-in-0123456789abcdef";
    public static readonly TimeSpan SlowDelay = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StandInRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _seenPrompts = new(StringComparer.Ordinal);

    private ProviderStandIn(WebApplication app) => _app = app;

    /// <summary>The bearer key both APIs accept.</summary>
    public string ApiKey { get; set; } = DefaultApiKey;

    /// <summary>When set, the key is refused (401 in each provider's shape), as after a revocation.</summary>
    public bool KeyRevoked { get; set; }

    /// <summary>Root address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>What <c>Generation:Endpoint</c> is for Stability (its API paths start at the root).</summary>
    public string StabilityBaseUrl => BaseUrl;

    /// <summary>What <c>Generation:Endpoint</c> is for OpenAI (<c>/v1</c>, as <c>https://api.openai.com/v1</c>).</summary>
    public string OpenAiBaseUrl => BaseUrl + "/v1";

    /// <summary>Every request received, in order of arrival, before any check (a refused key is recorded too).</summary>
    public IReadOnlyList<StandInRequest> Requests => [.. _requests];

    /// <summary>Requests whose prompt contains <paramref name="text"/> (OpenAI prompts carry appended style words).</summary>
    public IReadOnlyList<StandInRequest> RequestsWithPrompt(string text) =>
        [.. _requests.Where(r => r.Prompt?.Contains(text, StringComparison.Ordinal) == true)];

    public static async Task<ProviderStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var standIn = new ProviderStandIn(app);
        app.MapPost("/v2beta/stable-image/generate/{model}", standIn.StabilityAsync);
        app.MapPost("/v1/images/generations", (Delegate)standIn.OpenAiAsync);
        await app.StartAsync();
        standIn.BaseUrl = app.ListeningAddress().TrimEnd('/');
        return standIn;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A valid PNG of one colour (8-bit RGB, no interlace), written here so the stand-in needs no imaging library.</summary>
    public static byte[] SolidPng(int width, int height, byte red, byte green, byte blue)
    {
        var raw = new byte[height * (1 + width * 3)];
        for (var y = 0; y < height; y++)
        {
            var row = y * (1 + width * 3);
            raw[row] = 0; // filter: none
            for (var x = 0; x < width; x++)
            {
                raw[row + 1 + x * 3] = red;
                raw[row + 2 + x * 3] = green;
                raw[row + 3 + x * 3] = blue;
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: truecolour

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        png.Write(four);
        var typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typeAndData);
        data.CopyTo(typeAndData, 4);
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32(typeAndData));
        png.Write(four);
    }

    /// <summary>CRC-32 (ISO-HDLC, reflected 0xEDB88320) as PNG's chunks need it.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static byte[] PngForSeed(long seed) =>
        SolidPng(64, 64, (byte)(seed & 0xFF), (byte)((seed >> 8) & 0xFF), (byte)((seed >> 16) & 0xFF));

    private static readonly byte[] NotAnImage = "this is not an image, only text the stand-in sends"u8.ToArray();

    private StandInRequest Record(HttpContext context, string? prompt, IReadOnlyDictionary<string, string> fields, JsonNode? json)
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new StandInRequest(context.Request.Path.Value ?? "", headers, fields, json, prompt, DateTimeOffset.UtcNow);
        _requests.Enqueue(request);
        return request;
    }

    private bool KeyAccepted(HttpContext context) =>
        !KeyRevoked && context.Request.Headers.Authorization.ToString() == $"Bearer {ApiKey}";

    private string? PresentedKey(HttpContext context) =>
        context.Request.Headers.Authorization.ToString() is { } value && value.StartsWith("Bearer ", StringComparison.Ordinal) ? value[7..] : null;

    /// <summary>True the first time a prompt is seen (the [429] marker's "first request").</summary>
    private bool FirstTime(string prompt) => _seenPrompts.AddOrUpdate(prompt, 1, (_, n) => n + 1) == 1;

    // ---------------------------------------------------------------- Stability AI v2beta

    private async Task<IResult> StabilityAsync(HttpContext context, string model)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            foreach (var field in form)
            {
                fields[field.Key] = field.Value.ToString();
            }
        }

        var prompt = fields.GetValueOrDefault("prompt");
        Record(context, prompt, fields, null);

        if (!KeyAccepted(context))
        {
            return StabilityError(401, "unauthorized", "authorization: invalid or missing header value");
        }

        if (model is not ("core" or "ultra" or "sd3"))
        {
            return StabilityError(404, "not_found", $"generate/{model}: no such endpoint");
        }

        if (!context.Request.HasFormContentType)
        {
            return StabilityError(400, "bad_request", "content-type: must be multipart/form-data");
        }

        string[] sd3Models = ["sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash", "sd3-large", "sd3-large-turbo", "sd3-medium"];
        if (fields.TryGetValue("model", out var sd3Model) && (model != "sd3" || !sd3Models.Contains(sd3Model)))
        {
            return StabilityError(400, "bad_request", $"model: must be one of {string.Join(", ", sd3Models)}");
        }

        if (string.IsNullOrWhiteSpace(prompt))
        {
            return StabilityError(400, "bad_request", "prompt: cannot be empty");
        }

        var accept = context.Request.Headers.Accept.ToString();
        var wantsJson = accept.Contains("application/json", StringComparison.Ordinal);
        if (!wantsJson && !accept.Contains("image/*", StringComparison.Ordinal))
        {
            return StabilityError(400, "bad_request", "accept: must be image/* or application/json");
        }

        if (fields.TryGetValue("aspect_ratio", out var ratio) && !AspectRatios.IsSupported(ratio))
        {
            return StabilityError(400, "bad_request", $"aspect_ratio: must be one of {string.Join(", ", AspectRatios.All)}");
        }

        if (fields.TryGetValue("style_preset", out var style) && !ImageStyles.IsSupported(style))
        {
            return StabilityError(400, "bad_request", "style_preset: unknown preset");
        }

        if (fields.TryGetValue("output_format", out var format) && format is not ("png" or "jpeg" or "webp"))
        {
            return StabilityError(400, "bad_request", "output_format: must be png, jpeg or webp");
        }

        long seed = Random.Shared.NextInt64(1, 4_294_967_294);
        if (fields.TryGetValue("seed", out var seedText))
        {
            if (!long.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed) || seed is < 0 or > 4_294_967_294)
            {
                return StabilityError(400, "bad_request", "seed: must be between 0 and 4294967294");
            }
        }

        if (prompt.Contains("[refuse]", StringComparison.Ordinal))
        {
            return StabilityError(403, "content_moderation",
                "Your request was flagged by our content moderation system, as a result your request was denied and you were not charged.");
        }

        if (prompt.Contains("[busy]", StringComparison.Ordinal) || prompt.Contains("[quota]", StringComparison.Ordinal)
            || (prompt.Contains("[429]", StringComparison.Ordinal) && FirstTime(prompt)))
        {
            context.Response.Headers.RetryAfter = "1";
            return StabilityError(429, "rate_limit_exceeded",
                "You have exceeded the rate limit of 150 requests within a 10 second period, and have been timed out for 60 seconds.");
        }

        if (prompt.Contains("[500]", StringComparison.Ordinal))
        {
            return StabilityError(500, "internal_error", "An unexpected server error has occurred, please try again later.");
        }

        if (prompt.Contains("[slow]", StringComparison.Ordinal))
        {
            await Task.Delay(SlowDelay, context.RequestAborted);
        }

        var finishReason = prompt.Contains("[filtered]", StringComparison.Ordinal) ? "CONTENT_FILTERED" : "SUCCESS";
        var bytes = prompt.Contains("[not-an-image]", StringComparison.Ordinal) ? NotAnImage : PngForSeed(seed);
        var seedValue = seed.ToString(CultureInfo.InvariantCulture);
        if (wantsJson)
        {
            return Results.Json(new { image = Convert.ToBase64String(bytes), finish_reason = finishReason, seed });
        }

        context.Response.Headers["finish-reason"] = finishReason;
        context.Response.Headers["seed"] = seedValue;
        return Results.Bytes(bytes, "image/png");
    }

    private static IResult StabilityError(int status, string name, string error) =>
        Results.Json(new { id = Guid.NewGuid().ToString("N"), name, errors = new[] { error } }, statusCode: status);

    // ---------------------------------------------------------------- OpenAI Images API

    private async Task<IResult> OpenAiAsync(HttpContext context)
    {
        JsonNode? json = null;
        try
        {
            json = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
        }

        var prompt = json?["prompt"]?.GetValueKind() == JsonValueKind.String ? json["prompt"]!.GetValue<string>() : null;
        Record(context, prompt, new Dictionary<string, string>(), json);

        if (!KeyAccepted(context))
        {
            return OpenAiError(401,
                $"Incorrect API key provided: {PresentedKey(context)}. You can find your API key at https://platform.openai.com/account/api-keys.",
                "invalid_request_error", "invalid_api_key");
        }

        if (json is not JsonObject body)
        {
            return OpenAiError(400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
        }

        if (string.IsNullOrWhiteSpace(prompt))
        {
            return OpenAiError(400, "Missing required parameter: 'prompt'.", "invalid_request_error", "missing_required_parameter");
        }

        var model = body["model"]?.GetValue<string>() ?? "dall-e-2";
        var n = body["n"]?.GetValue<int>() ?? 1;
        var size = body["size"]?.GetValue<string>() ?? "1024x1024";
        var responseFormat = body["response_format"]?.GetValue<string>();
        var gptImage = model.StartsWith("gpt-image", StringComparison.Ordinal);

        if (model.StartsWith("no-such-", StringComparison.Ordinal))
        {
            return OpenAiError(404, $"The model '{model}' does not exist or you do not have access to it.", "invalid_request_error", "model_not_found");
        }

        if (gptImage && responseFormat is not null)
        {
            return OpenAiError(400, "Unknown parameter: 'response_format'.", "invalid_request_error", "unknown_parameter");
        }

        string[] sizes = gptImage ? ["1024x1024", "1536x1024", "1024x1536", "auto"]
            : model.StartsWith("dall-e-3", StringComparison.Ordinal) ? ["1024x1024", "1792x1024", "1024x1792"]
            : model.StartsWith("dall-e-2", StringComparison.Ordinal) ? ["256x256", "512x512", "1024x1024"]
            : ["1024x1024", "1536x1024", "1024x1536", "1792x1024", "1024x1792"];
        if (!sizes.Contains(size))
        {
            return OpenAiError(400, $"Invalid value: '{size}'. Supported values are: {string.Join(", ", sizes)}.", "invalid_request_error", "invalid_value");
        }

        var maxN = model.StartsWith("dall-e-3", StringComparison.Ordinal) ? 1 : 10;
        if (n < 1 || n > maxN)
        {
            return OpenAiError(400, $"Invalid 'n': must be between 1 and {maxN}.", "invalid_request_error", "invalid_value");
        }

        if (!gptImage && responseFormat != "b64_json")
        {
            // This stand-in serves no image URLs.
            return OpenAiError(400, "This server answers response_format b64_json only.", "invalid_request_error", "invalid_value");
        }

        if (prompt.Contains("[refuse]", StringComparison.Ordinal) || prompt.Contains("[filtered]", StringComparison.Ordinal))
        {
            return OpenAiError(400,
                "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
                "image_generation_user_error", "content_policy_violation");
        }

        if (prompt.Contains("[quota]", StringComparison.Ordinal))
        {
            return OpenAiError(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota");
        }

        if (prompt.Contains("[busy]", StringComparison.Ordinal) || (prompt.Contains("[429]", StringComparison.Ordinal) && FirstTime(prompt)))
        {
            context.Response.Headers.RetryAfter = "1";
            return OpenAiError(429, "Rate limit reached for images per minute. Please try again in 1s.", "requests", "rate_limit_exceeded");
        }

        if (prompt.Contains("[500]", StringComparison.Ordinal))
        {
            return OpenAiError(500, "The server had an error while processing your request. Sorry about that!", "server_error", null);
        }

        if (prompt.Contains("[slow]", StringComparison.Ordinal))
        {
            await Task.Delay(SlowDelay, context.RequestAborted);
        }

        var count = prompt.Contains("[wrong-count]", StringComparison.Ordinal) ? n - 1 : n;
        var data = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var b64 = prompt.Contains("[bad-base64]", StringComparison.Ordinal) ? "%%% not base64 %%%"
                : Convert.ToBase64String(prompt.Contains("[not-an-image]", StringComparison.Ordinal) ? NotAnImage : PngForSeed(Random.Shared.NextInt64()));
            var item = new JsonObject { ["b64_json"] = b64 };
            if (model.StartsWith("dall-e-3", StringComparison.Ordinal))
            {
                item["revised_prompt"] = prompt;
            }

            data.Add(item);
        }

        return Results.Json(new JsonObject { ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["data"] = data });
    }

    private static IResult OpenAiError(int status, string message, string type, string? code) =>
        Results.Json(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code },
        }, statusCode: status);
}

/// <summary>One request as the stand-in received it: multipart fields for Stability, the JSON body for OpenAI.</summary>
public sealed record StandInRequest(
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Fields,
    JsonNode? Json,
    string? Prompt,
    DateTimeOffset ReceivedAt);
