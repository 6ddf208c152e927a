using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using Stox.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Stox.Tests.Frontend;

/// <summary>
/// Image generation in Chromium through the whole system: the Create page (cost, balance, every refusal as a sentence),
/// generated pictures in the gallery with live badges, the image page's prompt and provider, the account page's credits
/// and transactions, and the admin's credit form. The provider is the fixture's OpenAI stand-in.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class GenerationBrowserTests(StoxAppFixture fixture, BrowserFixture browser) : BrowserTest(fixture, browser)
{
    private const string AdminPassword = "a-long-enough-passphrase-1";

    [Fact]
    public Task Create_two_pictures_see_them_complete_in_the_generated_gallery_and_open_one() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(Create_two_pictures_see_them_complete_in_the_generated_gallery_and_open_one), async () =>
        {
            await WebApp.SignUpAsync(Page, WebApp.NewEmail("create"));
            await WebApp.ExpectGalleryAsync(Page);
            await Page.GetByRole(AriaRole.Link, new() { Name = "Create", Exact = true }).ClickAsync();
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Create pictures" })).ToBeVisibleAsync();

            await Expect(Page.GetByTestId("balance")).ToHaveTextAsync($"{StoxAppFixture.FreeMonthlyGrant} credits");
            await Expect(Page.GetByTestId("cost-per-image")).ToHaveTextAsync("1 credit per picture");
            await Expect(Page.GetByTestId("cost-total")).ToHaveTextAsync("1 credit");

            var prompt = $"a lighthouse at dusk {Guid.NewGuid():N}";
            await Page.GetByLabel("Prompt", new() { Exact = true }).FillAsync(prompt);
            await Expect(Page.GetByTestId("prompt-count")).ToHaveTextAsync($"{prompt.Length} / 2000");
            await Page.GetByLabel("Negative prompt").FillAsync("people");
            await Page.GetByLabel("Style").SelectOptionAsync(new SelectOptionValue { Index = 1 });
            await Page.GetByLabel("Pictures").FillAsync("2");
            await Expect(Page.GetByTestId("cost-total")).ToHaveTextAsync("2 credits");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();

            // The gallery, filtered to generated pictures, says what is coming and the new balance.
            await Expect(Page).ToHaveURLAsync(new Regex("source=generated"));
            await Expect(Page.GetByTestId("generating-message")).ToContainTextAsync("Your 2 pictures are being generated");
            await Expect(Page.GetByTestId("generating-message")).ToContainTextAsync($"{StoxAppFixture.FreeMonthlyGrant - 2} credits");
            await Expect(Page.Locator("#gallery-grid li.card")).ToHaveCountAsync(2);
            await Expect(Page.Locator("#gallery-grid li.card [data-testid=generated-mark]")).ToHaveCountAsync(2);
            await Expect(Page.Locator("#gallery-grid li.card[data-status=complete]")).ToHaveCountAsync(2, new() { Timeout = 120_000 });
            await Expect(Page.Locator("#gallery-grid li.card[data-status=complete] [data-badge]")).ToHaveTextAsync(["Ready", "Ready"]);
            await Expect(Page.Locator("#gallery-grid li.card .thumb img")).ToHaveCountAsync(2, new() { Timeout = 30_000 });

            // The source filters: none uploaded, both under All.
            await Page.GetByTestId("source-filter").GetByRole(AriaRole.Link, new() { Name = "Uploaded" }).ClickAsync();
            await Expect(Page.Locator("#gallery-grid li.card")).ToHaveCountAsync(0);
            await Expect(Page.Locator("#gallery-empty")).ToHaveTextAsync("No uploaded photos yet.");
            await Page.GetByTestId("source-filter").GetByRole(AriaRole.Link, new() { Name = "Generated" }).ClickAsync();
            await Expect(Page.Locator("#gallery-grid li.card")).ToHaveCountAsync(2);

            // The image page tells how the picture was made.
            await Page.Locator("#gallery-grid li.card a.card-link").First.ClickAsync();
            await Expect(Page.GetByTestId("generation-prompt")).ToHaveTextAsync(prompt);
            await Expect(Page.GetByTestId("generation-negative")).ToHaveTextAsync("people");
            await Expect(Page.GetByTestId("generation-provider")).ToHaveTextAsync("openai");
            await Expect(Page.GetByTestId("generation-model")).Not.ToBeEmptyAsync();
            await Expect(Page.GetByTestId("generation-aspect")).ToHaveTextAsync(new Regex(@"^\d+:\d+$"));
            await Expect(Page.GetByTestId("generation-seed")).Not.ToBeEmptyAsync();
        });

    [Fact]
    public Task A_refused_prompt_fails_with_its_sentence_and_the_refund_is_in_the_transactions() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(A_refused_prompt_fails_with_its_sentence_and_the_refund_is_in_the_transactions), async () =>
        {
            await WebApp.SignUpAsync(Page, WebApp.NewEmail("refused"));
            await WebApp.ExpectGalleryAsync(Page);
            await Page.GotoAsync("/create");
            await Page.GetByLabel("Prompt", new() { Exact = true }).FillAsync($"[refuse] a fox in the snow {Guid.NewGuid():N}");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();

            var card = Page.Locator("#gallery-grid li.card");
            await Expect(card).ToHaveCountAsync(1);
            await Expect(card).ToHaveAttributeAsync("data-status", "failed", new() { Timeout = 60_000 });
            await Expect(card.Locator("[data-badge]")).ToHaveTextAsync("Failed");
            await Expect(card.Locator("[data-card-error]")).ToContainTextAsync("refused", new() { IgnoreCase = true });

            await card.Locator("a.card-link").ClickAsync();
            await Expect(Page.GetByTestId("image-error")).ToContainTextAsync("We could not generate this picture.");
            await Expect(Page.GetByTestId("image-error")).ToContainTextAsync("refused", new() { IgnoreCase = true });

            await Page.GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();
            await Expect(Page.GetByTestId("credits-balance")).ToHaveTextAsync($"{StoxAppFixture.FreeMonthlyGrant} credits");
            var refund = Page.Locator("tr[data-kind=refund]");
            await Expect(refund).ToHaveCountAsync(1);
            await Expect(refund).ToContainTextAsync("Refund");
            await Expect(refund).ToContainTextAsync("+1");
            await Expect(Page.Locator("tr[data-kind=spend]")).ToContainTextAsync("-1");
        });

    [Fact]
    public Task Invalid_settings_are_named_next_to_their_field() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(Invalid_settings_are_named_next_to_their_field), async () =>
        {
            await WebApp.SignUpAsync(Page, WebApp.NewEmail("invalid"));
            await WebApp.ExpectGalleryAsync(Page);
            await Page.GotoAsync("/create");

            // An empty prompt, past the browser's own check.
            await Page.EvaluateAsync("document.getElementById('prompt').removeAttribute('required')");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
            await Expect(Page.GetByTestId("create-message")).ToHaveTextAsync("Please correct the marked field.");
            await Expect(Page.Locator("#prompt-error")).ToHaveTextAsync("Write a prompt: describe the picture you want.");
            await Expect(Page.GetByLabel("Prompt", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");

            // Nine pictures, past the field's max.
            await Page.GetByLabel("Prompt", new() { Exact = true }).FillAsync("a quiet harbour");
            await Page.EvaluateAsync("document.getElementById('count').removeAttribute('max')");
            await Page.GetByLabel("Pictures").FillAsync("9");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
            await Expect(Page.Locator("#count-error")).ToHaveTextAsync("count must be from 1 to 4 pictures.");
            await Expect(Page.GetByLabel("Pictures")).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(Page.Locator("#prompt-error")).ToHaveCountAsync(0);
            await Expect(Page.GetByLabel("Prompt", new() { Exact = true })).ToHaveValueAsync("a quiet harbour");
            await Expect(Page.GetByTestId("balance")).ToHaveTextAsync($"{StoxAppFixture.FreeMonthlyGrant} credits");
        });

    [Fact]
    public Task Without_enough_credits_the_page_says_what_it_costs_and_what_is_left() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(Without_enough_credits_the_page_says_what_it_costs_and_what_is_left), async () =>
        {
            var email = WebApp.NewEmail("broke");
            await WebApp.SignUpAsync(Page, email);
            await WebApp.ExpectGalleryAsync(Page);
            await AdjustAsync(await UserIdAsync(email), -(StoxAppFixture.FreeMonthlyGrant - 1), "Spent elsewhere");

            await Page.GotoAsync("/create");
            await Expect(Page.GetByTestId("balance")).ToHaveTextAsync("1 credit");
            await Page.GetByLabel("Prompt", new() { Exact = true }).FillAsync("two red boats");
            await Page.GetByLabel("Pictures").FillAsync("2");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
            await Expect(Page.GetByTestId("create-message")).ToHaveTextAsync("This generation costs 2 credits and your balance is 1 credit.");
            await Expect(Page.GetByTestId("create-message")).ToHaveAttributeAsync("role", "alert");
            await Expect(Page).ToHaveURLAsync(new Regex("/create$"));
        });

    [Fact]
    public Task Past_the_generation_limit_the_page_says_when_to_ask_again_and_nothing_is_charged() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(Past_the_generation_limit_the_page_says_when_to_ask_again_and_nothing_is_charged), async () =>
        {
            var email = WebApp.NewEmail("limited");
            await WebApp.SignUpAsync(Page, email);
            await WebApp.ExpectGalleryAsync(Page);
            var (_, token) = await LoginAsync(email);
            await Page.GotoAsync("/create");
            await Page.GetByLabel("Prompt", new() { Exact = true }).FillAsync("a kite over the dunes");

            // The same user's limit, used up through the API: refused requests count at the edge too.
            using var api = Fixture.App.CreateHttpClient("gateway");
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var left = await ExhaustGenerationLimitAsync(api);
            if (left < MinimumWindowLeft)
            {
                // Too little of the window is left for the browser's submit: wait it out and use up the next one.
                await Task.Delay(left + TimeSpan.FromSeconds(1));
                left = await ExhaustGenerationLimitAsync(api);
                Assert.True(left >= MinimumWindowLeft, $"using up the limit left only {left} of the window");
            }

            await Page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
            await Expect(Page.GetByTestId("create-message")).ToHaveTextAsync(
                new Regex(@"^You have asked for pictures too often; try again in (a second|\d+ seconds)\.$"));
            await Expect(Page.GetByTestId("create-message")).ToHaveAttributeAsync("role", "alert");
            await Expect(Page).ToHaveURLAsync(new Regex("/create$"));
            await Expect(Page.GetByTestId("balance")).ToHaveTextAsync($"{StoxAppFixture.FreeMonthlyGrant} credits");

            using var generations = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/generations", UriKind.Relative)));
            Assert.Empty(generations.RootElement.GetProperty("items").EnumerateArray());
            using var credits = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/credits", UriKind.Relative)));
            Assert.Equal(StoxAppFixture.FreeMonthlyGrant, credits.RootElement.GetProperty("balance").GetInt32());
        });

    [Fact]
    public Task The_account_page_pages_through_the_transactions() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(The_account_page_pages_through_the_transactions), async () =>
        {
            var email = WebApp.NewEmail("ledger");
            await WebApp.SignUpAsync(Page, email);
            await WebApp.ExpectGalleryAsync(Page);
            var id = await UserIdAsync(email);
            for (var i = 1; i <= 11; i++)
            {
                await AdjustAsync(id, 1, $"Thank-you credit {i}");
            }

            await Page.GotoAsync("/account");
            await Expect(Page.GetByTestId("credits-balance")).ToHaveTextAsync($"{StoxAppFixture.FreeMonthlyGrant + 11} credits");
            await Expect(Page.GetByTestId("credits-tier")).ToHaveTextAsync("free");
            await Expect(Page.GetByTestId("credits-grant")).ToHaveTextAsync($"{StoxAppFixture.FreeMonthlyGrant} credits");
            await Expect(Page.GetByTestId("credits-next-grant")).ToContainTextAsync("UTC");

            var rows = Page.GetByTestId("transaction");
            await Expect(rows).ToHaveCountAsync(10);
            await Expect(rows.First).ToContainTextAsync("Thank-you credit 11");
            await Expect(rows.First).ToContainTextAsync($"{StoxAppFixture.FreeMonthlyGrant + 11}");
            await Expect(Page.GetByTestId("transactions-newest")).ToHaveCountAsync(0);

            await Page.GetByTestId("transactions-older").ClickAsync();
            await Expect(rows).ToHaveCountAsync(2);
            await Expect(rows.First).ToContainTextAsync("Thank-you credit 1");
            await Expect(rows.Last).ToContainTextAsync("Monthly grant");
            await Expect(Page.GetByTestId("transactions-older")).ToHaveCountAsync(0);

            await Page.GetByTestId("transactions-newest").ClickAsync();
            await Expect(rows).ToHaveCountAsync(10);
        });

    [Fact]
    public Task An_admin_grants_credits_and_the_user_sees_the_balance_and_the_reason() =>
        BrowserFixture.WithScreenshotOnFailureAsync(Page, nameof(An_admin_grants_credits_and_the_user_sees_the_balance_and_the_reason), async () =>
        {
            var email = WebApp.NewEmail("granted");
            await WebApp.SignUpAsync(Page, email);
            await WebApp.ExpectGalleryAsync(Page);
            var id = await UserIdAsync(email);
            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

            await Fixture.GetAdminTokenAsync();
            await WebApp.SignInAsync(Page, StoxAppFixture.AdminEmail, AdminPassword);
            await WebApp.ExpectGalleryAsync(Page);
            await Page.GetByRole(AriaRole.Link, new() { Name = "Admin" }).ClickAsync();
            // The account list streams in after the form: filling before it has arrived would be undone by the update.
            await Expect(Page.GetByText(email)).ToBeVisibleAsync();

            // Refusals as sentences: a reason is needed, and more cannot be taken than there is.
            await Page.GetByLabel("User id").FillAsync(id);
            await Page.GetByLabel("Amount").FillAsync("-500");
            await Page.GetByLabel("Reason").FillAsync("Too much");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Change credits" }).ClickAsync();
            await Expect(Page.GetByTestId("credits-message")).ToHaveTextAsync(
                $"Taking 500 credits would leave a negative balance: the user has {StoxAppFixture.FreeMonthlyGrant} credits.");

            await Page.GetByLabel("User id").FillAsync(id);
            await Page.GetByLabel("Amount").FillAsync("25");
            await Page.EvaluateAsync("document.getElementById('credit-reason').removeAttribute('required')");
            await Page.GetByLabel("Reason").FillAsync("");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Change credits" }).ClickAsync();
            await Expect(Page.Locator("#credit-reason-error")).ToContainTextAsync("reason");

            await Page.GetByLabel("User id").FillAsync(id);
            await Page.GetByLabel("Amount").FillAsync("25");
            await Page.GetByLabel("Reason").FillAsync("Welcome to the beta");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Change credits" }).ClickAsync();
            await Expect(Page.GetByTestId("credits-message")).ToHaveTextAsync(
                $"Granted 25 credits to {id}. Their balance is {StoxAppFixture.FreeMonthlyGrant + 25} credits.");
            await Expect(Page.GetByTestId("credits-message")).ToHaveAttributeAsync("role", "status");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

            await WebApp.SignInAsync(Page, email);
            await WebApp.ExpectGalleryAsync(Page);
            await Page.GotoAsync("/account");
            await Expect(Page.GetByTestId("credits-balance")).ToHaveTextAsync($"{StoxAppFixture.FreeMonthlyGrant + 25} credits");
            var adjustment = Page.Locator("tr[data-kind=adjustment]");
            await Expect(adjustment).ToContainTextAsync("Welcome to the beta");
            await Expect(adjustment).ToContainTextAsync("+25");
        });

    /// <summary>Time the browser gets, after the limit is used up, to submit the form within the same window.</summary>
    private static readonly TimeSpan MinimumWindowLeft = TimeSpan.FromSeconds(20);

    /// <summary>The user's id, from signing in through the gateway as they do.</summary>
    private async Task<string> UserIdAsync(string email) => (await LoginAsync(email)).Id;

    private async Task<(string Id, string AccessToken)> LoginAsync(string email)
    {
        using var gateway = Fixture.App.CreateHttpClient("gateway");
        using var response = await gateway.PostAsJsonAsync("/api/auth/login", new { email, password = WebApp.Password });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("user").GetProperty("id").GetString()!, body.RootElement.GetProperty("accessToken").GetString()!);
    }

    /// <summary>
    /// Sends the user's whole generation limit for a window as prompts jobs refuses (422, free of charge), starting with
    /// a window of their own, and returns how much of that window is left (RateLimit-Reset).
    /// </summary>
    private static async Task<TimeSpan> ExhaustGenerationLimitAsync(HttpClient api)
    {
        var reset = 0;
        for (var sent = 1; sent <= StoxAppFixture.GenerationsPerWindow; sent++)
        {
            using var response = await api.PostAsJsonAsync("/api/generations", new { prompt = "" });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal(StoxAppFixture.GenerationsPerWindow - sent, int.Parse(response.Headers.GetValues("RateLimit-Remaining").Single(), CultureInfo.InvariantCulture));
            reset = int.Parse(response.Headers.GetValues("RateLimit-Reset").Single(), CultureInfo.InvariantCulture);
        }

        return TimeSpan.FromSeconds(reset);
    }

    /// <summary>Grants (or, negative, takes) credits as the administrator, through the gateway.</summary>
    private async Task AdjustAsync(string userId, int amount, string reason)
    {
        using var gateway = Fixture.App.CreateHttpClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/credits/{userId}") { Content = JsonContent.Create(new { amount, reason }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await Fixture.GetAdminTokenAsync());
        using var response = await gateway.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"adjusting credits answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
