using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Stox.ServiceDefaults.Problems;

/// <summary>
/// Reads a JSON request body itself so that every way it can be wrong (not JSON, wrong content type, a field of
/// the wrong type, too big) ends as a 400 with field-level errors, like every other validation error.
/// </summary>
public static class JsonBody
{
    private const long MaxBodyBytes = 16 * 1024;

    public static async Task<(T? Value, ValidationProblem? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, StoxProblems.Validation("body", "The request body must be JSON (Content-Type: application/json)."));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, StoxProblems.Validation("body", "The request body is too large."));
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (limited.Length + read > MaxBodyBytes)
                {
                    return (null, StoxProblems.Validation("body", "The request body is too large."));
                }

                limited.Write(buffer, 0, read);
            }

            if (limited.Length == 0)
            {
                return (null, StoxProblems.Validation("body", "The request body is empty."));
            }

            var json = limited.GetBuffer().AsMemory(0, (int)limited.Length);
            try
            {
                // Syntax first, so a broken document is reported against the body rather than the field it broke in.
                using var document = JsonDocument.Parse(json);
            }
            catch (JsonException)
            {
                return (null, StoxProblems.Validation("body", "The request body is not valid JSON."));
            }

            var value = JsonSerializer.Deserialize<T>(json.Span, options);
            return value is null
                ? (null, StoxProblems.Validation("body", "The request body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, StoxProblems.Validation(path, "The value is not valid JSON of the expected type."));
        }
    }
}
