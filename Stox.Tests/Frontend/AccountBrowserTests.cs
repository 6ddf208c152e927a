using Microsoft.Playwright;
using Npgsql;
using Stox.Hosting.Testing;
using Stox.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Stox.Tests.Frontend;

/// <summary>Signing up, in and out, every refusal's message, the account and admin pages, in Chromium through the gateway.</summary>
[Collection(SystemCollection.Name)]
public sealed class AccountBrowserTests(StoxAppFixture fixture, BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _context = await browser.NewContextAsync(WebApp.Gateway(fixture));
        _page = await _context.NewPageAsync();
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public Task Sign_up_lands_in_the_gallery_with_the_session_in_an_HttpOnly_cookie_and_sign_out_ends_it() =>
        BrowserFixture.WithScreenshotOnFailureAsync(_page, nameof(Sign_up_lands_in_the_gallery_with_the_session_in_an_HttpOnly_cookie_and_sign_out_ends_it), async () =>
        {
            var email = WebApp.NewEmail("signup");
            await WebApp.SignUpAsync(_page, email, name: "Ada");
            await WebApp.ExpectGalleryAsync(_page);

            // The session is an opaque id in an HttpOnly, Secure, SameSite cookie; scripts see no cookie and no token.
            var cookies = await _context.CookiesAsync();
            var session = Assert.Single(cookies, c => c.Name == "__Host-stox-session");
            Assert.True(session.HttpOnly);
            Assert.True(session.Secure);
            Assert.Equal(SameSiteAttribute.Lax, session.SameSite);
            Assert.DoesNotContain("eyJ", session.Value, StringComparison.Ordinal);
            Assert.Equal("", await _page.EvaluateAsync<string>("document.cookie"));
            Assert.DoesNotContain("eyJ", await _page.ContentAsync(), StringComparison.Ordinal);

            await _page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(_page.GetByText("You are signed out.")).ToBeVisibleAsync();
            await _page.GotoAsync("/account");
            await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?returnUrl=%2Faccount$"));

            // Signing in again returns to the page asked for.
            await _page.GetByLabel("Email").FillAsync(email);
            await _page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebApp.Password);
            await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(_page.GetByTestId("profile-email")).ToHaveTextAsync(email);
        });

    [Fact]
    public Task Each_refusal_has_its_own_message() =>
        BrowserFixture.WithScreenshotOnFailureAsync(_page, nameof(Each_refusal_has_its_own_message), async () =>
        {
            var email = WebApp.NewEmail("refusals");
            await WebApp.SignUpAsync(_page, email);
            await WebApp.ExpectGalleryAsync(_page);
            await _page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

            // Taken email.
            await WebApp.SignUpAsync(_page, email);
            await Expect(_page.GetByRole(AriaRole.Alert)).ToContainTextAsync("already");

            // Weak password: auth's own reason, next to the field.
            await WebApp.SignUpAsync(_page, WebApp.NewEmail("weak"), "too-short");
            await Expect(_page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Choose a stronger password.");
            await Expect(_page.Locator("#password-error")).Not.ToBeEmptyAsync();
            await Expect(_page.GetByLabel("Password", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");

            // Wrong password, then the per-account limit (5 failures) answers with the wait.
            for (var attempt = 0; attempt < 5; attempt++)
            {
                await WebApp.SignInAsync(_page, email, "not-the-password-" + attempt);
                await Expect(_page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong email or password.");
            }

            await WebApp.SignInAsync(_page, email, "not-the-password-again");
            await Expect(_page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Try again in");
        });

    [Fact]
    public Task Account_page_shows_usage_and_changes_name_and_password() =>
        BrowserFixture.WithScreenshotOnFailureAsync(_page, nameof(Account_page_shows_usage_and_changes_name_and_password), async () =>
        {
            var email = WebApp.NewEmail("account");
            await WebApp.SignUpAsync(_page, email);
            await WebApp.ExpectGalleryAsync(_page);
            await _page.GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();

            await Expect(_page.GetByTestId("profile-email")).ToHaveTextAsync(email);
            await Expect(_page.Locator("#usage-title + *")).ToContainTextAsync("50");

            await _page.GetByLabel("Display name").FillAsync("Grace Hopper");
            await _page.GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
            await Expect(_page.GetByTestId("profile-message")).ToHaveTextAsync("Your name is saved.");
            await Expect(_page.GetByLabel("Display name")).ToHaveValueAsync("Grace Hopper");

            await _page.GetByLabel("Current password").FillAsync("wrong-current-password");
            await _page.GetByLabel("New password").FillAsync("another-long-passphrase-9");
            await _page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
            await Expect(_page.GetByTestId("password-message")).ToHaveAttributeAsync("role", "alert");

            await _page.GetByLabel("Current password").FillAsync(WebApp.Password);
            await _page.GetByLabel("New password").FillAsync("another-long-passphrase-9");
            await _page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
            await Expect(_page.GetByTestId("password-message")).ToContainTextAsync("Password changed");

            // Sign out everywhere ends this session too.
            await _page.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere" }).ClickAsync();
            await Expect(_page.GetByText("You are signed out.")).ToBeVisibleAsync();
            await _page.GotoAsync("/");
            await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
            await WebApp.SignInAsync(_page, email, "another-long-passphrase-9");
            await WebApp.ExpectGalleryAsync(_page);
        });

    [Fact]
    public Task Admin_page_is_for_admins_only_and_changes_a_users_plan() =>
        BrowserFixture.WithScreenshotOnFailureAsync(_page, nameof(Admin_page_is_for_admins_only_and_changes_a_users_plan), async () =>
        {
            var admin = WebApp.NewEmail("admin");
            var other = WebApp.NewEmail("member");
            await WebApp.SignUpAsync(_page, other);
            await WebApp.ExpectGalleryAsync(_page);
            await _page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await WebApp.SignUpAsync(_page, admin);
            await WebApp.ExpectGalleryAsync(_page);

            await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "Admin" })).ToHaveCountAsync(0);
            await _page.GotoAsync("/admin");
            await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();

            // No bootstrap admin in the shared system: promote this account in authdb, then sign in again.
            await using (var db = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync("authdb")))
            {
                await db.OpenAsync();
                await using var promote = new NpgsqlCommand("UPDATE users SET \"Role\" = 'admin' WHERE \"Email\" = @email", db);
                promote.Parameters.AddWithValue("email", admin);
                Assert.Equal(1, await promote.ExecuteNonQueryAsync());
            }

            await _page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await WebApp.SignInAsync(_page, admin);
            await _page.GetByRole(AriaRole.Link, new() { Name = "Admin" }).ClickAsync();

            var row = _page.Locator($"tr[data-user='{other}']");
            await Expect(row).ToBeVisibleAsync();
            await row.GetByLabel($"Plan of {other}").SelectOptionAsync("premium");
            await row.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(_page.GetByTestId("admin-message")).ToHaveTextAsync($"Saved {other}.");
            await Expect(_page.Locator($"tr[data-user='{other}']").GetByLabel($"Plan of {other}")).ToHaveValueAsync("premium");
            await Expect(_page.Locator($"tr[data-user='{other}']").GetByLabel($"{other} can sign in")).ToBeCheckedAsync();
        });

    [Fact]
    public Task Pages_fit_a_360_pixel_phone_without_horizontal_scrolling() =>
        BrowserFixture.WithScreenshotOnFailureAsync(_page, nameof(Pages_fit_a_360_pixel_phone_without_horizontal_scrolling), async () =>
        {
            await _page.SetViewportSizeAsync(360, 740);
            await _page.GotoAsync("/signin");
            Assert.True(await FitsAsync(), "sign-in page scrolls sideways");
            await WebApp.SignUpAsync(_page, WebApp.NewEmail("phone"));
            await WebApp.ExpectGalleryAsync(_page);
            Assert.True(await FitsAsync(), "gallery scrolls sideways");
            await _page.GotoAsync("/account");
            await Expect(_page.GetByTestId("profile-email")).ToBeVisibleAsync();
            Assert.True(await FitsAsync(), "account page scrolls sideways");

            // Keyboard: the skip link comes first and the file picker is reachable.
            await _page.GotoAsync("/");
            await _page.Keyboard.PressAsync("Tab");
            await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
            await Expect(_page.GetByText("Up to 50 MB each")).ToBeVisibleAsync();
        });

    private Task<bool> FitsAsync() => _page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth");
}
