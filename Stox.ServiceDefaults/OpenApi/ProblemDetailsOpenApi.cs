using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Stox.ServiceDefaults.OpenApi;

/// <summary>
/// Describes every service's errors as what they are: RFC 9457 ProblemDetails (<c>application/problem+json</c>).
/// Handlers return <c>ProblemHttpResult</c>, whose status the generator cannot know, so each operation gets a
/// <c>default</c> ProblemDetails response; error responses declared without a body get the ProblemDetails body;
/// endpoints that need a token get 401 (and 403 when they need a role or policy).
/// </summary>
internal static class ProblemDetailsOpenApi
{
    public const string MediaType = "application/problem+json";
    public const string SchemaId = nameof(ProblemDetails);

    public static OpenApiOptions AddProblemDetailsResponses(this OpenApiOptions options)
    {
        options.AddOperationTransformer((operation, context, _) =>
        {
            var responses = operation.Responses ??= [];
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (RequiresAuthentication(metadata))
            {
                responses.TryAdd("401", new OpenApiResponse { Description = "The access token is missing, expired or invalid." });
                if (RequiresPermission(metadata))
                {
                    responses.TryAdd("403", new OpenApiResponse { Description = "The caller's role does not allow this." });
                }
            }

            responses.TryAdd("default", new OpenApiResponse { Description = "Any other error." });
            foreach (var (status, response) in responses)
            {
                if (IsError(status) && response is OpenApiResponse { Content: null or { Count: 0 } } bare)
                {
                    bare.Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [MediaType] = new() { Schema = new OpenApiSchemaReference(SchemaId, context.Document) },
                    };
                }
            }

            return Task.CompletedTask;
        });
        options.AddDocumentTransformer(async (document, context, cancellationToken) =>
        {
            if (document.Components?.Schemas?.ContainsKey(SchemaId) != true)
            {
                document.AddComponent(SchemaId, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
            }
        });
        return options;
    }

    private static bool IsError(string status) => status == "default" || status.StartsWith('4') || status.StartsWith('5');

    private static bool RequiresAuthentication(IList<object> metadata) =>
        !metadata.OfType<IAllowAnonymous>().Any() && (metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<AuthorizationPolicy>().Any());

    private static bool RequiresPermission(IList<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Roles) || !string.IsNullOrEmpty(a.Policy))
        || metadata.OfType<AuthorizationPolicy>().Any(p => p.Requirements.Any(r => r is not DenyAnonymousAuthorizationRequirement));
}
