using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Gateway;

/// <summary>Error responses are described as ProblemDetails, by every service and in the gateway's merged document.</summary>
public sealed class OpenApiProblemDetailsTests
{
    [Fact]
    public async Task The_service_defaults_describe_every_error_as_ProblemDetails()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.MapGet("/things/{id}", Results<Ok<string>, ProblemHttpResult> (int id) => TypedResults.Ok("thing")).RequireAuthorization();
        app.MapPost("/things", Results<Created<string>, ValidationProblem> () => TypedResults.Created("/things/1", "thing"));
        app.MapDelete("/things/{id}", (int id) => TypedResults.NoContent()).RequireAuthorization(policy => policy.RequireRole("admin"));
        app.MapGet("/gone", () => TypedResults.NotFound()).Produces(StatusCodes.Status404NotFound);
        app.MapDefaultEndpoints();
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.ListeningAddress()) };

        var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;

        Assert.Empty(OpenApiErrors.NotProblemDetails(document));
        var responses = (string path, string method) => document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");
        Assert.True(responses("/things/{id}", "get").TryGetProperty("401", out _));
        Assert.False(responses("/things/{id}", "get").TryGetProperty("403", out _));
        Assert.True(responses("/things/{id}", "delete").TryGetProperty("403", out _));
        Assert.False(responses("/things", "post").TryGetProperty("401", out _));
        Assert.True(responses("/things", "post").TryGetProperty("400", out _));
        Assert.True(responses("/gone", "get").TryGetProperty("404", out _));
    }
}

/// <summary>The same, checked on the running services and through the gateway.</summary>
[Collection(SystemCollection.Name)]
public sealed class SystemOpenApiProblemDetailsTests(StoxAppFixture fixture)
{
    [Theory]
    [InlineData("auth")]
    [InlineData("jobs")]
    public async Task Each_services_own_document_describes_its_errors_as_ProblemDetails(string service)
    {
        using var client = fixture.App.CreateHttpClient(service);

        var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;

        Assert.Empty(OpenApiErrors.NotProblemDetails(document));
    }

    [Fact]
    public async Task The_merged_document_at_api_openapi_json_shows_the_errors_as_ProblemDetails()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");

        var document = JsonDocument.Parse(await gateway.GetStringAsync(new Uri("/api/openapi.json", UriKind.Relative))).RootElement;
        var login = document.GetProperty("paths").GetProperty("/api/auth/login").GetProperty("post").GetProperty("responses");

        Assert.Empty(OpenApiErrors.NotProblemDetails(document));
        Assert.True(login.TryGetProperty("429", out _), "the edge's rate limit is described");
        Assert.True(login.TryGetProperty("400", out _));
    }
}

internal static class OpenApiErrors
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    /// <summary>Every operation's error responses (4xx, 5xx, default) that are not ProblemDetails, as "METHOD path status: why"; every operation must have one.</summary>
    public static List<string> NotProblemDetails(JsonElement document)
    {
        var failures = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var errors = operation.Value.GetProperty("responses").EnumerateObject()
                    .Where(r => r.Name == "default" || r.Name.StartsWith('4') || r.Name.StartsWith('5'))
                    .ToList();
                if (errors.Count == 0)
                {
                    failures.Add($"{where}: no error response");
                }

                foreach (var response in errors)
                {
                    if (!response.Value.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out var media))
                    {
                        failures.Add($"{where} {response.Name}: no application/problem+json content");
                    }
                    else if (!IsProblemDetails(document, media.GetProperty("schema")))
                    {
                        failures.Add($"{where} {response.Name}: the schema is not a ProblemDetails");
                    }
                }
            }
        }

        return failures;
    }

    private static bool IsProblemDetails(JsonElement document, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!["#/components/schemas/".Length..];
            return document.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out var target) && IsProblemDetails(document, target);
        }

        if (schema.TryGetProperty("allOf", out var parts) && parts.EnumerateArray().Any(p => IsProblemDetails(document, p)))
        {
            return true;
        }

        return schema.TryGetProperty("properties", out var properties)
            && properties.TryGetProperty("title", out _) && properties.TryGetProperty("status", out _) && properties.TryGetProperty("detail", out _);
    }
}
