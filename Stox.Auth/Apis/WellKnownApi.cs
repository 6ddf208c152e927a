using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stox.Auth.Tokens;
using Stox.ServiceDefaults.Authentication;

namespace Stox.Auth.Apis;

/// <summary>/.well-known: the public keys and a minimal discovery document for other services and third parties.</summary>
public static class WellKnownApi
{
    public sealed record DiscoveryDocument(
        [property: System.Text.Json.Serialization.JsonPropertyName("issuer")] string Issuer,
        [property: System.Text.Json.Serialization.JsonPropertyName("jwks_uri")] string JwksUri,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_endpoint")] string TokenEndpoint,
        [property: System.Text.Json.Serialization.JsonPropertyName("id_token_signing_alg_values_supported")] IReadOnlyList<string> SigningAlgorithms,
        [property: System.Text.Json.Serialization.JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypes,
        [property: System.Text.Json.Serialization.JsonPropertyName("subject_types_supported")] IReadOnlyList<string> SubjectTypes,
        [property: System.Text.Json.Serialization.JsonPropertyName("claims_supported")] IReadOnlyList<string> Claims);

    public static IEndpointRouteBuilder MapWellKnownApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/jwks.json", GetJwks).WithTags("WellKnown");
        app.MapGet("/.well-known/openid-configuration", GetDiscovery).WithTags("WellKnown");
        return app;
    }

    public static Ok<PublishedKeySet> GetJwks(HttpContext http, SigningKeyStore keys)
    {
        // Short enough that a rotation reaches caches well within one access-token lifetime.
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(new PublishedKeySet(keys.Published));
    }

    public static Ok<DiscoveryDocument> GetDiscovery(HttpContext http, IOptions<AuthOptions> options)
    {
        var o = options.Value;
        var origin = o.PublicBaseUrl?.ToString().TrimEnd('/') ?? $"{http.Request.Scheme}://{http.Request.Host}";
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(new DiscoveryDocument(
            o.Issuer,
            $"{origin}/.well-known/jwks.json",
            $"{origin}/api/auth/login",
            [StoxJwtDefaults.Algorithm],
            ["token"],
            ["public"],
            ["sub", "email", "role", "tier", "sid", "iss", "aud", "iat", "nbf", "exp", "jti"]));
    }
}
