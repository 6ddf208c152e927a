using Microsoft.Playwright;
using Npgsql;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Stox.Tests.Frontend;

/// <summary>Signing up, in and out, every refusal's message, the account and admin pages, in Chromium through the gateway.</summary>
[Collection(SystemCollection.Name)]
public sealed class AccountBrowserTests(StoxAppFixture fixture, BrowserFixture browser) : BrowserTest(fixture, browser)
{
    [Fact]
    public Task Sign_up_lands_in_the_gallery_with_the_session_in_an_HttpOnly_cookie_and_sign_out_ends_it() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(Sign_up_lands_in_the_gallery_with_the_session_in_an_HttpOnly_cookie_and_sign_out_ends_it), async () =>
        {
            var email = WebApp.NewEmail("signup");
            await WebApp.SignUpAsync(Page, email, name: "Ada");
            await WebApp.ExpectGalleryAsync(Page);

            // The session is an opaque id in an HttpOnly, Secure, SameSite cookie; scripts see no cookie and no token.
            var cookies = await Context.CookiesAsync();
            var session = Assert.Single(cookies, c => c.Name == "__Host-stox-session");
            Assert.True(session.HttpOnly);
            Assert.True(session.Secure);
            Assert.Equal(SameSiteAttribute.Lax, session.SameSite);
            Assert.DoesNotContain("eyJ", session.Value, StringComparison.Ordinal);
            Assert.Equal("", await Page.EvaluateAsync<string>("document.cookie"));
            Assert.DoesNotContain("eyJ", await Page.ContentAsync(), StringComparison.Ordinal);

            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(Page.GetByText("You are signed out.")).ToBeVisibleAsync();
            await Page.GotoAsync("/account");
            await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?returnUrl=%2Faccount$"));

            // Signing in again returns to the page asked for.
            await Page.GetByLabel("Email").FillAsync(email);
            await Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebApp.Password);
            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(Page.GetByTestId("profile-email")).ToHaveTextAsync(email);
        });

    [Fact]
    public Task Each_refusal_has_its_own_message() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(Each_refusal_has_its_own_message), async () =>
        {
            var email = WebApp.NewEmail("refusals");
            await WebApp.SignUpAsync(Page, email);
            await WebApp.ExpectGalleryAsync(Page);
            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

            // Taken email.
            await WebApp.SignUpAsync(Page, email);
            await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("already");

            // Weak password: auth's own reason, next to the field.
            await WebApp.SignUpAsync(Page, WebApp.NewEmail("weak"), "too-short");
            await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Choose a stronger password.");
            await Expect(Page.Locator("#password-error")).Not.ToBeEmptyAsync();
            await Expect(Page.GetByLabel("Password", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");

            // Wrong password, then the per-account limit (5 failures) answers with the wait.
            for (var attempt = 0; attempt < 5; attempt++)
            {
                await WebApp.SignInAsync(Page, email, "not-the-password-" + attempt);
                await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong email or password.");
            }

            await WebApp.SignInAsync(Page, email, "not-the-password-again");
            await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Try again in");
        });

    [Fact]
    public Task AccountPage_shows_usage_and_changes_name_and_password() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(AccountPage_shows_usage_and_changes_name_and_password), async () =>
        {
            var email = WebApp.NewEmail("account");
            await WebApp.SignUpAsync(Page, email);
            await WebApp.ExpectGalleryAsync(Page);

            // The gallery streams: its first bytes carry a loading state, and Blazor's runtime
            // puts the content in place when it comes.
            var gallery = await Page.EvaluateAsync<string>("fetch('/').then(r => r.text())");
            Assert.Contains("Loading your photos", gallery, StringComparison.Ordinal);
            Assert.Contains("<blazor-ssr>", gallery, StringComparison.Ordinal);

            // Links and forms from here on are enhanced: the document is patched, never reloaded (the marker survives).
            await Page.EvaluateAsync("window.__noReload = true");
            await Page.GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();

            await Expect(Page.GetByTestId("profile-email")).ToHaveTextAsync(email);
            await Expect(Page.Locator("#usage-title + *")).ToContainTextAsync("50");

            await Page.GetByLabel("Display name").FillAsync("Grace Hopper");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
            await Expect(Page.GetByTestId("profile-message")).ToHaveTextAsync("Your name is saved.");
            await Expect(Page.GetByLabel("Display name")).ToHaveValueAsync("Grace Hopper");

            await Page.GetByLabel("Current password").FillAsync("wrong-current-password");
            await Page.GetByLabel("New password").FillAsync("another-long-passphrase-9");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
            await Expect(Page.GetByTestId("password-message")).ToHaveAttributeAsync("role", "alert");

            await Page.GetByLabel("Current password").FillAsync(WebApp.Password);
            await Page.GetByLabel("New password").FillAsync("another-long-passphrase-9");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
            await Expect(Page.GetByTestId("password-message")).ToContainTextAsync("Password changed");
            Assert.True(await Page.EvaluateAsync<bool>("window.__noReload === true"), "a link or form reloaded the page");

            // Sign out everywhere ends this session too.
            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere" }).ClickAsync();
            await Expect(Page.GetByText("You are signed out.")).ToBeVisibleAsync();
            await Page.GotoAsync("/");
            await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
            await WebApp.SignInAsync(Page, email, "another-long-passphrase-9");
            await WebApp.ExpectGalleryAsync(Page);
        });

    [Fact]
    public Task AdminPage_is_for_admins_only_and_changes_a_users_plan() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(AdminPage_is_for_admins_only_and_changes_a_users_plan), async () =>
        {
            var admin = WebApp.NewEmail("admin");
            var other = WebApp.NewEmail("member");
            await WebApp.SignUpAsync(Page, other);
            await WebApp.ExpectGalleryAsync(Page);
            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await WebApp.SignUpAsync(Page, admin);
            await WebApp.ExpectGalleryAsync(Page);

            await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Admin" })).ToHaveCountAsync(0);
            await Page.GotoAsync("/admin");
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();

            // No bootstrap admin in the shared system: promote this account in authdb, then sign in again.
            await using (var db = new NpgsqlConnection(await Fixture.App.GetConnectionStringAsync("authdb")))
            {
                await db.OpenAsync();
                await using var promote = new NpgsqlCommand("UPDATE users SET \"Role\" = 'admin' WHERE \"Email\" = @email", db);
                promote.Parameters.AddWithValue("email", admin);
                Assert.Equal(1, await promote.ExecuteNonQueryAsync());
            }

            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await WebApp.SignInAsync(Page, admin);
            await Page.GetByRole(AriaRole.Link, new() { Name = "Admin" }).ClickAsync();

            var row = Page.Locator($"tr[data-user='{other}']");
            await Expect(row).ToBeVisibleAsync();
            await row.GetByLabel($"Plan of {other}").SelectOptionAsync("premium");
            await row.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(Page.GetByTestId("admin-message")).ToHaveTextAsync($"Saved {other}.");
            await Expect(Page.Locator($"tr[data-user='{other}']").GetByLabel($"Plan of {other}")).ToHaveValueAsync("premium");
            await Expect(Page.Locator($"tr[data-user='{other}']").GetByLabel($"{other} can sign in")).ToBeCheckedAsync();
        });

    [Fact]
    public Task Pages_fit_a_360_pixel_phone_without_horizontal_scrolling() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(Pages_fit_a_360_pixel_phone_without_horizontal_scrolling), async () =>
        {
            await Page.SetViewportSizeAsync(360, 740);
            await Page.GotoAsync("/signin");
            Assert.True(await FitsAsync(), "sign-in page scrolls sideways");
            await WebApp.SignUpAsync(Page, WebApp.NewEmail("phone"));
            await WebApp.ExpectGalleryAsync(Page);
            Assert.True(await FitsAsync(), "gallery scrolls sideways");
            await Page.GotoAsync("/account");
            await Expect(Page.GetByTestId("profile-email")).ToBeVisibleAsync();
            Assert.True(await FitsAsync(), "account page scrolls sideways");

            // Keyboard: Blazor puts focus on the page's heading, on a full load and after an enhanced navigation, so the
            // content comes first; the skip link is still the first stop of the page, and the file picker is reachable.
            await Page.GotoAsync("/");
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Your photos" })).ToBeFocusedAsync();
            Assert.Equal("Skip to content", await Page.EvaluateAsync<string>(
                "document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex=\"-1\"])').textContent.trim()"));
            await Expect(Page.GetByText("Up to 50 MB each")).ToBeVisibleAsync();
            await Page.GetByRole(AriaRole.Link, new() { Name = "Account" }).FocusAsync();
            await Page.Keyboard.PressAsync("Enter");
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Your account" })).ToBeFocusedAsync();
        });

    private Task<bool> FitsAsync() => Page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth");
}
