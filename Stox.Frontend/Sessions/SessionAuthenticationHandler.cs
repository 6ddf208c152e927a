using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Stox.Frontend.Sessions;

/// <summary>Authenticates a request from its session cookie; pages send strangers to the sign-in page.</summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionManager sessions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "StoxSession";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var session = await sessions.GetCurrentAsync(Context);
        return session is null
            ? AuthenticateResult.NoResult()
            : AuthenticateResult.Success(new AuthenticationTicket(session.ToPrincipal(SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (IsBff(Request.Path))
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        var returnUrl = Request.PathBase + Request.Path + Request.QueryString;
        Response.Redirect("/signin" + (returnUrl is "/" ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (IsBff(Request.Path))
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        Response.Redirect("/forbidden");
        return Task.CompletedTask;
    }

    private static bool IsBff(PathString path) => path.StartsWithSegments("/bff") || path.StartsWithSegments("/media");
}
