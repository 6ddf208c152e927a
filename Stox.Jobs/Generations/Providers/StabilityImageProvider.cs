using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Stox.Jobs.Generations.Providers;

/// <summary>
/// Stability AI's Stable Image v2beta API: <c>POST {endpoint}/v2beta/stable-image/generate/{core|ultra|sd3}</c>,
/// multipart form in, raw image bytes out (headers <c>finish-reason</c> and <c>seed</c>). One image per call.
/// </summary>
public sealed class StabilityImageProvider : IImageProvider
{
    /// <summary>Images generated at once for one request; each is its own call.</summary>
    private const int Parallelism = 2;

    /// <summary>Stability's seeds run 0 .. 4294967294.</summary>
    private const long SeedModulus = 4_294_967_295;

    private readonly IHttpClientFactory _httpClients;
    private readonly GenerationProviderOptions _options;
    private readonly ProviderPipeline _pipeline;
    private readonly Uri _uri;
    private readonly string? _modelField;

    public StabilityImageProvider(IHttpClientFactory httpClients, GenerationProviderOptions options, TimeProvider time, ILogger<StabilityImageProvider> logger)
    {
        _httpClients = httpClients;
        _options = options;
        Model = options.GetModel();
        if (!IsKnownModel(Model))
        {
            throw new ArgumentException($"'{Model}' is not a Stability AI v2beta model.", nameof(options));
        }

        // sd3.5-large and friends share the sd3 endpoint and name themselves in the form field "model".
        var route = Model is "core" or "ultra" ? Model : "sd3";
        _modelField = route == "sd3" && Model != "sd3" ? Model : null;
        _uri = new Uri(ImageProviderExtensions.WithTrailingSlash(options.GetEndpoint()), $"v2beta/stable-image/generate/{route}");
        _pipeline = new ProviderPipeline(Name, options, time, logger);
    }

    public string Name => GenerationProviderOptions.Stability;

    public string Model { get; }

    public static bool IsKnownModel(string model) =>
        model is "core" or "ultra" || model.StartsWith("sd3", StringComparison.Ordinal);

    public async Task<IReadOnlyList<ProviderImage>> GenerateAsync(ProviderRequest request, CancellationToken ct)
    {
        ImageProviderExtensions.Check(request);
        var images = new ProviderImage[request.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, request.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (i, token) =>
            {
                long? seed = request.Seed is { } s ? (s + i) % SeedModulus : null;
                images[i] = await _pipeline.ExecuteAsync(attempt => GenerateOneAsync(request, seed, attempt), token);
            });
        return images;
    }

    private async Task<ProviderImage> GenerateOneAsync(ProviderRequest request, long? seed, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(request.Prompt), "prompt");
        if (!string.IsNullOrWhiteSpace(request.NegativePrompt))
        {
            form.Add(new StringContent(request.NegativePrompt), "negative_prompt");
        }

        form.Add(new StringContent(request.AspectRatio), "aspect_ratio");
        if (seed is { } value)
        {
            form.Add(new StringContent(value.ToString(CultureInfo.InvariantCulture)), "seed");
        }

        if (!string.IsNullOrWhiteSpace(request.Style))
        {
            form.Add(new StringContent(request.Style), "style_preset");
        }

        if (_modelField is not null)
        {
            form.Add(new StringContent(_modelField), "model");
        }

        form.Add(new StringContent("png"), "output_format");

        using var message = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = form };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/*"));

        using var http = _httpClients.CreateClient(ImageProviderExtensions.HttpClientName);
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, ct);
        }

        var finishReason = Header(response, "finish-reason");
        if (string.Equals(finishReason, "CONTENT_FILTERED", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProviderException(ProviderErrorKind.ContentRefused,
                "The provider refused the prompt: its content filter withheld the image (finish-reason CONTENT_FILTERED).", (int)response.StatusCode);
        }

        if (string.Equals(finishReason, "ERROR", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProviderException(ProviderErrorKind.BadResponse,
                "The provider answered success but reported an error while generating (finish-reason ERROR).", (int)response.StatusCode);
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (!ProviderText.LooksLikeImage(bytes))
        {
            throw new ProviderException(ProviderErrorKind.BadResponse,
                $"The provider answered success with {bytes.Length} bytes that are not a PNG, JPEG or WebP image.", (int)response.StatusCode);
        }

        long? answeredSeed = long.TryParse(Header(response, "seed"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : seed;
        return new ProviderImage(bytes, answeredSeed, finishReason ?? "SUCCESS");
    }

    private async Task<ProviderException> FailureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var (name, errors) = ParseError(await ProviderText.ReadErrorBodyAsync(response, ct));
        var text = ProviderText.Scrub(errors ?? name ?? response.ReasonPhrase, _options.ApiKey);
        var detail = text.Length > 0 ? $": {text}" : "";
        var moderation = name?.Contains("moderation", StringComparison.OrdinalIgnoreCase) == true;

        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new ProviderException(ProviderErrorKind.KeyRejected, "The provider rejected the API key.", status),
            HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity when moderation =>
                new ProviderException(ProviderErrorKind.ContentRefused, $"The provider refused the prompt{detail}", status),
            HttpStatusCode.Forbidden => new ProviderException(ProviderErrorKind.KeyRejected, $"The provider rejected the API key for this request (HTTP 403){detail}", status),
            HttpStatusCode.TooManyRequests => _pipeline.Transient(ProviderErrorKind.RateLimited, response, "The provider is rate limiting requests (HTTP 429)"),
            >= HttpStatusCode.InternalServerError => _pipeline.Transient(ProviderErrorKind.Unavailable, response, $"The provider is unavailable (HTTP {status})"),
            _ => new ProviderException(ProviderErrorKind.InvalidRequest, $"The provider rejected the request (HTTP {status}){detail}", status),
        };
    }

    /// <summary>Stability's error body: <c>{"id": "...", "name": "...", "errors": ["..."]}</c>; anything else yields nulls.</summary>
    private static (string? Name, string? Errors) ParseError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var name = json.RootElement.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            string? errors = null;
            if (json.RootElement.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array)
            {
                errors = string.Join("; ", e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()));
            }

            return (name, string.IsNullOrWhiteSpace(errors) ? null : errors);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;
}
