using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Stox.ServiceDefaults.Authentication;

/// <summary>
/// How every Stox service checks an access token, on Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/>:
/// RS256 only (so <c>alg: none</c>, HMAC-with-the-public-key confusion and every other algorithm are refused), a
/// <c>kid</c> that must name a published key, <c>typ</c> <c>at+jwt</c>, then <c>iss</c>, <c>aud</c>, <c>exp</c> and
/// <c>nbf</c> with a small clock skew; <see cref="CheckStoxRules"/> adds what the library does not check.
/// </summary>
public static class StoxTokenValidation
{
    /// <summary>Tokens longer than this are refused unread.</summary>
    public const int MaxTokenLength = 8 * 1024;

    /// <summary>The parameters for <paramref name="options"/>; the signing keys come from the caller (JWKS or in-process).</summary>
    public static TokenValidationParameters CreateParameters(StoxJwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            ValidAlgorithms = [StoxJwtDefaults.Algorithm],
            ValidTypes = [StoxJwtDefaults.TokenType, "JWT"],
            ClockSkew = options.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            RequireAudience = true,
            // The kid must name a published key: no trying every key for a token whose kid is unknown.
            TryAllIssuerSigningKeys = false,
            NameClaimType = StoxJwtDefaults.Claims.Subject,
            RoleClaimType = StoxJwtDefaults.Claims.Role,
            AuthenticationType = StoxJwtDefaults.AuthenticationScheme,
        };
    }

    /// <summary>
    /// The JwtBearer settings shared by every service: short claim names (no mapping to the long XML claim types) and
    /// the checks of <see cref="CheckStoxRules"/> once the library has accepted a token.
    /// </summary>
    public static void ConfigureBearer(JwtBearerOptions bearer, StoxJwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(bearer);
        bearer.MapInboundClaims = false;
        bearer.TokenValidationParameters = CreateParameters(options);
        bearer.TokenHandlers.Clear();
        bearer.TokenHandlers.Add(new JsonWebTokenHandler { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenLength });
        bearer.Events ??= new JwtBearerEvents();
        bearer.Events.OnTokenValidated = context =>
        {
            if (CheckStoxRules(context.SecurityToken, context.Principal?.Identity as ClaimsIdentity, options.ClockSkew) is { } error)
            {
                context.Fail(error);
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>What a Stox access token needs beyond the library's checks; the reason it is refused, or null.</summary>
    public static string? CheckStoxRules(SecurityToken? token, ClaimsIdentity? identity, TimeSpan clockSkew)
    {
        if (token is not JsonWebToken jwt || identity is null)
        {
            return "The token is malformed.";
        }

        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return "The token header has critical extensions this service does not understand.";
        }

        if (string.IsNullOrEmpty(jwt.Kid))
        {
            return "The token header has no key id.";
        }

        if (string.IsNullOrEmpty(identity.FindFirst(StoxJwtDefaults.Claims.Subject)?.Value))
        {
            return "The token has no subject.";
        }

        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat)
            || DateTimeOffset.FromUnixTimeSeconds(iat) > DateTimeOffset.UtcNow + clockSkew)
        {
            return "The token issue time is missing or in the future.";
        }

        return null;
    }
}
