using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Stox.Frontend.Backends;

/// <summary>Sends one request to a service and turns its answer into an <see cref="ApiResult{T}"/>.</summary>
public abstract class ServiceClient(HttpClient http, ILogger logger, string serviceName)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    protected HttpClient Http => http;

    protected static HttpRequestMessage Request(HttpMethod method, string path, string? accessToken = null, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        return request;
    }

    protected async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
                                       && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "{Service} did not answer {Method} {Path}", serviceName, request.Method, request.RequestUri);
                return ApiResult<T>.Fail(ApiProblem.Unavailable(serviceName));
            }

            using (response)
            {
                return await ReadAsync<T>(response, cancellationToken);
            }
        }
    }

    internal static async Task<ApiResult<T>> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0 || typeof(T) == typeof(NoContent))
            {
                return new(response.StatusCode, default, null);
            }

            var value = await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
            return new(response.StatusCode, value, null);
        }

        return ApiResult<T>.Fail(await ReadProblemAsync(response, cancellationToken));
    }

    internal static async Task<ApiProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };

        string? type = null, title = null, detail = null;
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        if (response.Content.Headers.ContentType?.MediaType is { } mediaType && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    type = String(root, "type");
                    title = String(root, "title");
                    detail = String(root, "detail");
                    if (root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var field in list.EnumerateObject())
                        {
                            errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                                ? field.Value.EnumerateArray().Select(v => v.ToString()).ToArray()
                                : [field.Value.ToString()];
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not a problem document after all: the fallback sentence for the status is used.
            }
        }

        return new ApiProblem(status, type, title, detail, errors, retryAfter);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>The value of a call whose success has no body.</summary>
public sealed record NoContent;
