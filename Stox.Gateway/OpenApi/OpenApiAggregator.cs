using System.Text.Json;
using System.Text.Json.Nodes;
using Stox.Gateway.Routing;

namespace Stox.Gateway.OpenApi;

/// <summary>
/// One OpenAPI document for the public API: each service's own document (<c>/openapi/v1.json</c>), keeping only
/// the paths the gateway exposes, with component schemas merged (renamed per service on a clash). Cached briefly;
/// a service that cannot be reached is left out and named in the description.
/// </summary>
public sealed class OpenApiAggregator(IHttpClientFactory httpClientFactory, TimeProvider time)
{
    public const string HttpClientName = "openapi";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private static readonly string[] Services = ["auth", "jobs"];
    private const string ProblemDetailsSchema = "ProblemDetails";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, string Json)? _cached;

    public async Task<string> GetDocumentAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } hit && time.GetUtcNow() - hit.At < CacheFor)
        {
            return hit.Json;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } again && time.GetUtcNow() - again.At < CacheFor)
            {
                return again.Json;
            }

            var json = (await BuildAsync(cancellationToken)).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            _cached = (time.GetUtcNow(), json);
            return json;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<JsonObject> BuildAsync(CancellationToken cancellationToken)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        var missing = new List<string>();
        var client = httpClientFactory.CreateClient(HttpClientName);
        foreach (var service in Services)
        {
            JsonObject? document;
            try
            {
                document = JsonNode.Parse(await client.GetStringAsync(new Uri($"http://{service}/openapi/v1.json"), cancellationToken)) as JsonObject;
            }
            catch (HttpRequestException)
            {
                document = null;
            }
            catch (JsonException)
            {
                document = null;
            }

            if (document is null)
            {
                missing.Add(service);
                continue;
            }

            Merge(service, document, paths, schemas);
        }

        AddRateLimitResponses(paths, schemas);
        var description = "The public Stox API, as the gateway exposes it. Errors are RFC 9457 ProblemDetails.";
        if (missing.Count > 0)
        {
            description += $" Not available right now: {string.Join(", ", missing)}.";
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject { ["title"] = "Stox API", ["version"] = "v1", ["description"] = description },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT" },
                },
            },
        };
    }

    private static void Merge(string service, JsonObject document, JsonObject paths, JsonObject schemas)
    {
        var ownSchemas = document["components"]?["schemas"] as JsonObject ?? [];
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, schema) in ownSchemas)
        {
            if (schemas[name] is { } existing && !JsonNode.DeepEquals(existing, schema))
            {
                renames[name] = $"{char.ToUpperInvariant(service[0])}{service[1..]}{name}";
            }
        }

        // Rename clashing schemas and every reference to them, then copy what this service contributes.
        var text = document.ToJsonString();
        foreach (var (from, to) in renames)
        {
            text = text.Replace($"\"#/components/schemas/{from}\"", $"\"#/components/schemas/{to}\"", StringComparison.Ordinal);
        }

        var renamed = JsonNode.Parse(text)!.AsObject();
        foreach (var (name, schema) in renamed["components"]?["schemas"] as JsonObject ?? [])
        {
            var target = renames.GetValueOrDefault(name, name);
            schemas[target] ??= schema?.DeepClone();
        }

        foreach (var (path, item) in renamed["paths"] as JsonObject ?? [])
        {
            if (IsPublic(path))
            {
                paths[path] = item?.DeepClone();
            }
        }
    }

    /// <summary>Every public route is rate limited at the edge, which the services' own documents cannot know.</summary>
    private static void AddRateLimitResponses(JsonObject paths, JsonObject schemas)
    {
        if (!schemas.ContainsKey(ProblemDetailsSchema))
        {
            return;
        }

        foreach (var (_, item) in paths)
        {
            foreach (var (_, operation) in item as JsonObject ?? [])
            {
                if (operation is JsonObject { } op && op["responses"] is JsonObject responses && !responses.ContainsKey("429"))
                {
                    responses["429"] = new JsonObject
                    {
                        ["description"] = "Too many requests from this client or user; Retry-After and RateLimit-* headers say when to try again.",
                        ["content"] = new JsonObject
                        {
                            ["application/problem+json"] = new JsonObject
                            {
                                ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{ProblemDetailsSchema}" },
                            },
                        },
                    };
                }
            }
        }
    }

    private static bool IsPublic(string path) =>
        GatewayRoutes.All.Where(r => r.Service != "frontend").Any(r => path.StartsWith(r.LiteralPrefix(), StringComparison.OrdinalIgnoreCase));
}
