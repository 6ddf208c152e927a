using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Stox.ServiceDefaults.Authentication;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;access token&gt;</c> with <see cref="JwtValidator"/> and the keys of an
/// <see cref="ISigningKeyResolver"/>. A missing header is "no result" (anonymous); a bad token is a failure and the
/// challenge says why in <c>WWW-Authenticate</c> (RFC 6750).
/// </summary>
public sealed class StoxJwtAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ISigningKeyResolver keys,
    IOptions<StoxJwtOptions> jwtOptions,
    TimeProvider timeProvider) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    private const string FailureKey = "stox.jwt.failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? authorization = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = authorization["Bearer ".Length..].Trim();
        var kid = JwtValidator.ReadKeyId(token);
        var key = kid is null ? null : keys.TryGetCached(kid) ?? await keys.ResolveAsync(kid, Context.RequestAborted);
        var options = jwtOptions.Value;
        var result = JwtValidator.Validate(token, k => k == kid ? key : null, options.Issuer, options.Audience, timeProvider.GetUtcNow(), options.ClockSkew);
        if (!result.Succeeded)
        {
            Context.Items[FailureKey] = result.Error;
            return AuthenticateResult.Fail(result.Error!);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(result.Principal!, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status401Unauthorized;
        var error = Context.Items[FailureKey] as string;
        Response.Headers.WWWAuthenticate = error is null
            ? "Bearer"
            : $"Bearer error=\"invalid_token\", error_description=\"{error.Replace("\"", "'", StringComparison.Ordinal)}\"";
        return Task.CompletedTask;
    }
}
