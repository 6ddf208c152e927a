using Microsoft.Playwright;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Stox.Tests.Frontend;

/// <summary>Steps the browser tests share: the gateway's address, signing up and in through the pages.</summary>
internal static class WebApp
{
    public const string Password = "a-long-enough-passphrase-7";

    public static Uri Gateway(StoxAppFixture fixture)
    {
        using var client = fixture.App.CreateHttpClient("gateway");
        return client.BaseAddress!;
    }

    public static string NewEmail(string what) => $"web-{what}-{Guid.NewGuid():N}@stox.test";

    public static async Task SignUpAsync(IPage page, string email, string password = Password, string? name = null)
    {
        await page.GotoAsync("/signup");
        await page.GetByLabel("Email").FillAsync(email);
        if (name is not null)
        {
            await page.GetByLabel("Name").FillAsync(name);
        }

        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
    }

    public static async Task SignInAsync(IPage page, string email, string password = Password)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public static Task ExpectGalleryAsync(IPage page) =>
        Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your photos" })).ToBeVisibleAsync();

    /// <summary>The upload script runs deferred: a file picked before it has bound its listeners would go unnoticed.</summary>
    public static Task ExpectUploadReadyAsync(IPage page) =>
        Expect(page.Locator("#upload[data-ready=true]")).ToHaveCountAsync(1);
}
