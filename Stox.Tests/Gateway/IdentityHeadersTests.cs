using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Stox.Gateway.Edge;
using Yarp.ReverseProxy.Transforms;

namespace Stox.Tests.Gateway;

/// <summary>Only the gateway says who the caller is: clients' identity headers are dropped, validated ones forwarded.</summary>
public sealed class IdentityHeadersTests
{
    [Fact]
    public async Task Identity_headers_sent_by_a_client_are_removed_before_anything_reads_them()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Stox-User-Id"] = "someone-else";
        context.Request.Headers["x-stox-user-role"] = "admin";
        context.Request.Headers["X-User-Id"] = "legacy-spoof";
        context.Request.Headers["X-Request-Id"] = "kept";
        var seen = new Dictionary<string, string>();
        var middleware = new StripIdentityHeadersMiddleware(ctx =>
        {
            foreach (var (key, value) in ctx.Request.Headers)
            {
                seen[key] = value.ToString();
            }

            return Task.CompletedTask;
        });

        await middleware.InvokeAsync(context);

        Assert.Equal(["X-Request-Id"], seen.Keys);
    }

    [Fact]
    public async Task The_validated_identity_is_forwarded_and_nothing_for_anonymous_callers()
    {
        var signedIn = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new("sub", "user-1"), new("role", "admin"), new("tier", "pro")], "Bearer")),
        };
        var anonymous = new DefaultHttpContext();
        using var forwarded = new HttpRequestMessage();
        using var anonymousRequest = new HttpRequestMessage();

        await IdentityHeaders.ForwardAsync(new RequestTransformContext { HttpContext = signedIn, ProxyRequest = forwarded });
        await IdentityHeaders.ForwardAsync(new RequestTransformContext { HttpContext = anonymous, ProxyRequest = anonymousRequest });

        Assert.Equal("user-1", forwarded.Headers.GetValues(IdentityHeaders.UserId).Single());
        Assert.Equal("admin", forwarded.Headers.GetValues(IdentityHeaders.Role).Single());
        Assert.Equal("pro", forwarded.Headers.GetValues(IdentityHeaders.Tier).Single());
        Assert.Empty(anonymousRequest.Headers);
    }
}
