using Microsoft.AspNetCore.Antiforgery;
using Stox.Frontend.Gallery;
using Stox.Frontend.Images;
using Stox.Frontend.Sessions;
using Stox.Frontend.Upload;

namespace Stox.Frontend.Bff;

/// <summary>
/// The few endpoints the pages' scripts call (same origin, session cookie, antiforgery header on writes). They act
/// for the user with the token kept on the server; the browser never sees a token.
/// </summary>
public static class BffEndpoints
{
    public const string CsrfHeader = "X-CSRF-TOKEN";

    public static WebApplication MapBff(this WebApplication app)
    {
        app.MapPost("/signout", SignOutAsync).AddEndpointFilter(ValidateAntiforgery);

        var bff = app.MapGroup("/bff").RequireAuthorization();
        bff.MapGet("/events", EventsRelay.RelayAsync);
        bff.MapGalleryFragments();
        bff.MapUploads().AddEndpointFilter(ValidateAntiforgery);

        app.MapMedia();
        return app;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, SessionManager sessions)
    {
        await sessions.SignOutAsync(context);
        return TypedResults.Redirect("/signin?signedOut=true");
    }

    /// <summary>Refuses a state change whose antiforgery token (form field or header) is missing or wrong.</summary>
    internal static async ValueTask<object?> ValidateAntiforgery(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            return await next(invocation);
        }

        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        return await antiforgery.IsRequestValidAsync(context)
            ? await next(invocation)
            : TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Form expired",
                detail: "This page was open too long or in another session. Reload it and try again.",
                type: "https://stox.dev/problems/antiforgery");
    }
}
