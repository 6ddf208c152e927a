using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stox.Jobs.Generations.Providers;

/// <summary>
/// OpenAI's Images API (<c>POST {endpoint}/images/generations</c>), and any server that speaks it (LocalAI, vLLM-style
/// gateways): JSON in, base64 images in JSON out.
/// </summary>
/// <remarks>
/// Sizes: 1:1 is 1024x1024; a wider ratio is landscape, a taller one portrait. GPT image models (and other servers)
/// get 1536x1024 / 1024x1536; dall-e-3 gets 1792x1024 / 1024x1792; dall-e-2 has only squares. The ratio is therefore
/// approximate: 16:9 and 3:2 both come back 3:2 from gpt-image-1. There is no negative prompt or style preset, so they are
/// appended to the prompt as "Avoid: ..." and "Style: ...". No seed either: images carry none.
/// </remarks>
public sealed class OpenAiImageProvider : IImageProvider
{
    /// <summary>The API's upper bound on <c>n</c>; dall-e-3 takes only 1.</summary>
    private const int MaxPerCall = 10;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly IHttpClientFactory _httpClients;
    private readonly GenerationProviderOptions _options;
    private readonly ProviderPipeline _pipeline;
    private readonly Uri _uri;

    public OpenAiImageProvider(IHttpClientFactory httpClients, GenerationProviderOptions options, TimeProvider time, ILogger<OpenAiImageProvider> logger)
    {
        _httpClients = httpClients;
        _options = options;
        Model = options.GetModel();
        _uri = new Uri(ImageProviderExtensions.WithTrailingSlash(options.GetEndpoint()), "images/generations");
        _pipeline = new ProviderPipeline(Name, options, time, logger);
    }

    public string Name => GenerationProviderOptions.OpenAi;

    public string Model { get; }

    private bool IsGptImage => Model.StartsWith("gpt-image", StringComparison.OrdinalIgnoreCase);

    private bool IsDallE3 => Model.StartsWith("dall-e-3", StringComparison.OrdinalIgnoreCase);

    private bool IsDallE2 => Model.StartsWith("dall-e-2", StringComparison.OrdinalIgnoreCase);

    /// <summary>The size this provider asks for a given aspect ratio (see the class remarks).</summary>
    public string SizeFor(string aspectRatio)
    {
        var ratio = AspectRatios.Value(aspectRatio);
        if (Math.Abs(ratio - 1) < 0.01 || IsDallE2)
        {
            return "1024x1024";
        }

        var longSide = IsDallE3 ? 1792 : 1536;
        return ratio > 1 ? $"{longSide}x1024" : $"1024x{longSide}";
    }

    /// <summary>The prompt as sent: the negative prompt and style become words, since the API has no fields for them.</summary>
    public static string PromptFor(ProviderRequest request)
    {
        var prompt = new StringBuilder(request.Prompt.Trim());
        if (!string.IsNullOrWhiteSpace(request.Style))
        {
            prompt.Append("\n\nStyle: ").Append(request.Style.Replace('-', ' ')).Append('.');
        }

        if (!string.IsNullOrWhiteSpace(request.NegativePrompt))
        {
            prompt.Append("\n\nAvoid: ").Append(request.NegativePrompt.Trim());
        }

        return prompt.ToString();
    }

    public async Task<IReadOnlyList<ProviderImage>> GenerateAsync(ProviderRequest request, CancellationToken ct)
    {
        ImageProviderExtensions.Check(request);
        var perCall = IsDallE3 ? 1 : MaxPerCall;
        var body = new GenerationBody(Model, PromptFor(request), 0, SizeFor(request.AspectRatio),
            // GPT image models always answer base64 and refuse the parameter; DALL-E and other servers default to URLs.
            IsGptImage ? null : "b64_json");

        var images = new List<ProviderImage>(request.Count);
        while (images.Count < request.Count)
        {
            var n = Math.Min(perCall, request.Count - images.Count);
            images.AddRange(await _pipeline.ExecuteAsync(attempt => GenerateBatchAsync(body with { N = n }, attempt), ct));
        }

        return images;
    }

    private async Task<IReadOnlyList<ProviderImage>> GenerateBatchAsync(GenerationBody body, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = JsonContent.Create(body, options: Json) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var http = _httpClients.CreateClient(ImageProviderExtensions.HttpClientName);
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, ct);
        }

        var status = (int)response.StatusCode;
        GenerationAnswer? answer;
        try
        {
            answer = await response.Content.ReadFromJsonAsync<GenerationAnswer>(Json, ct);
        }
        catch (JsonException)
        {
            throw new ProviderException(ProviderErrorKind.BadResponse, "The provider answered success with a body that is not the documented JSON.", status);
        }

        if (answer?.Data is not { } data || data.Count != body.N)
        {
            throw new ProviderException(ProviderErrorKind.BadResponse,
                $"The provider answered success with {answer?.Data?.Count ?? 0} images instead of {body.N}.", status);
        }

        var images = new List<ProviderImage>(data.Count);
        foreach (var item in data)
        {
            if (string.IsNullOrEmpty(item.B64Json))
            {
                throw new ProviderException(ProviderErrorKind.BadResponse, "The provider answered success without base64 image data (b64_json).", status);
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(item.B64Json);
            }
            catch (FormatException)
            {
                throw new ProviderException(ProviderErrorKind.BadResponse, "The provider answered success with image data that is not valid base64.", status);
            }

            if (!ProviderText.LooksLikeImage(bytes))
            {
                throw new ProviderException(ProviderErrorKind.BadResponse,
                    $"The provider answered success with {bytes.Length} bytes that are not a PNG, JPEG or WebP image.", status);
            }

            images.Add(new ProviderImage(bytes, null, null));
        }

        return images;
    }

    private async Task<ProviderException> FailureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var error = ParseError(await ProviderText.ReadErrorBodyAsync(response, ct));
        var text = ProviderText.Scrub(error?.Message ?? response.ReasonPhrase, _options.ApiKey);
        var detail = text.Length > 0 ? $": {text}" : "";
        var refused = error?.Code == "content_policy_violation"
            || error?.Code?.Contains("moderation", StringComparison.OrdinalIgnoreCase) == true
            || error?.Type?.Contains("moderation", StringComparison.OrdinalIgnoreCase) == true;

        return response.StatusCode switch
        {
            HttpStatusCode.BadRequest when refused => new ProviderException(ProviderErrorKind.ContentRefused, $"The provider refused the prompt{detail}", status),
            HttpStatusCode.Unauthorized => new ProviderException(ProviderErrorKind.KeyRejected, "The provider rejected the API key.", status),
            HttpStatusCode.Forbidden => new ProviderException(ProviderErrorKind.KeyRejected, $"The provider rejected the API key for this request (HTTP 403){detail}", status),
            HttpStatusCode.TooManyRequests when error?.Code == "insufficient_quota" || error?.Type == "insufficient_quota" =>
                new ProviderException(ProviderErrorKind.Unavailable,
                    "The provider account has no quota left (insufficient_quota): check the plan and billing of the account the API key belongs to.", status),
            HttpStatusCode.TooManyRequests => _pipeline.Transient(ProviderErrorKind.RateLimited, response, "The provider is rate limiting requests (HTTP 429)"),
            >= HttpStatusCode.InternalServerError => _pipeline.Transient(ProviderErrorKind.Unavailable, response, $"The provider is unavailable (HTTP {status})"),
            _ => new ProviderException(ProviderErrorKind.InvalidRequest, $"The provider rejected the request (HTTP {status}){detail}", status),
        };
    }

    /// <summary>OpenAI's error body: <c>{"error": {"message", "type", "code"}}</c>; <c>code</c> may be a string, a number or null.</summary>
    private static ErrorBody? ParseError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new ErrorBody(Text(error, "message"), Text(error, "type"), Text(error, "code"));
        }
        catch (JsonException)
        {
            return null;
        }

        static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? value.ToString() : null;
    }

    private sealed record ErrorBody(string? Message, string? Type, string? Code);

    private sealed record GenerationBody(
        string Model,
        string Prompt,
        int N,
        string Size,
        [property: JsonPropertyName("response_format")] string? ResponseFormat);

    private sealed record GenerationAnswer(long Created, List<GeneratedImage>? Data);

    private sealed record GeneratedImage(
        [property: JsonPropertyName("b64_json")] string? B64Json,
        [property: JsonPropertyName("revised_prompt")] string? RevisedPrompt);
}
