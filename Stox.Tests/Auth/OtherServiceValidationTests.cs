using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Stox.Tests.Auth;

/// <summary>
/// A stand-in for gateway or jobs: a real web app with <c>AddStoxJwtAuthentication()</c> and nothing else, reading
/// the keys from the running auth service's JWKS.
/// </summary>
[Collection(AuthCollection.Name)]
public sealed class OtherServiceValidationTests(AuthAppFixture fixture)
{
    private async Task<(WebApplication App, HttpClient Client)> StartServiceAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["Authentication:Stox:JwksUri"] = new Uri(fixture.App.GetEndpoint("auth"), "/.well-known/jwks.json").ToString();
        builder.Configuration["Authentication:Stox:JwksMinimumRefetchInterval"] = "00:00:01";
        builder.AddStoxJwtAuthentication();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", (ClaimsPrincipal user) => new { sub = user.Identity!.Name, tier = user.FindFirst("tier")?.Value }).RequireAuthorization();
        app.MapGet("/admin", () => "ok").RequireAuthorization(p => p.RequireRole("admin"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    [Fact]
    public async Task A_service_authenticates_with_the_jwks_follows_a_rotation_and_refuses_bad_tokens()
    {
        var (app, client) = await StartServiceAsync();
        await using var _ = app;
        using var __ = client;
        var user = await fixture.RegisterAsync();

        using (var anonymous = await client.GetAsync("/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        client.DefaultRequestHeaders.Authorization = new("Bearer", user.AccessToken);
        var me = await client.GetFromJsonAsync<Dictionary<string, string>>("/me");
        Assert.Equal(user.User.Id.ToString(), me!["sub"]);
        Assert.Equal("free", me["tier"]);
        using (var forbidden = await client.GetAsync("/admin"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        // After a rotation the service meets a new kid and fetches the keys again at once.
        using (var admin = fixture.CreateClient(await fixture.LoginAdminAsync()))
        using (var rotated = await admin.PostAsync("/api/admin/keys/rotate", null))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        var adminSession = await fixture.LoginAdminAsync();
        client.DefaultRequestHeaders.Authorization = new("Bearer", adminSession.AccessToken);
        using (var allowed = await client.GetAsync("/admin"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        var (kid, key) = await fixture.ReadCurrentKeyAsync();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Sign(new { alg = "none", kid }, TestTokens.Claims(user.User.Id), null));
        using var none = await client.GetAsync("/me");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("invalid_token", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Sign(new { alg = "RS256", kid }, TestTokens.Claims(user.User.Id, aud: "other"), key));
        using var wrongAudience = await client.GetAsync("/me");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
    }
}
