using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using System.Net.Http.Json;
using System.Text.Json;
using Stox.Imaging;
using Stox.Tests.Infrastructure;
using Stox.Tests.Jobs;

namespace Stox.Tests.Generations;

/// <summary>
/// Prompt to picture through the whole system: the gateway, jobs and its ledger, the OpenAI-compatible provider
/// stand-in, S3 and processing. Every failure of the provider ends with the picture failed and its credits back.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class GenerationSystemTests(StoxAppFixture fixture)
{
    private ProviderStandIn Provider => fixture.Provider;

    [Fact]
    public async Task A_prompt_becomes_pictures_that_complete_live_with_every_variant_and_record_how_they_were_made()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        using var events = await user.OpenEventsAsync();
        var prompt = $"A lighthouse at dusk, oil painting {Guid.NewGuid():N}";

        var accepted = await user.GenerateAcceptedAsync(new { prompt, style = "cinematic", aspectRatio = "16:9", seed = 42, count = 2 });
        var ids = accepted.ImageIds();
        Assert.Equal(2, ids.Count);
        Assert.Equal(2, accepted.GetProperty("creditsCharged").GetInt32());
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant - 2, accepted.GetProperty("balance").GetInt32());

        var seen = await events.UntilFinalAsync(ids, TimeSpan.FromSeconds(90));
        foreach (var id in ids)
        {
            var statuses = seen.Where(e => e.Data.GetProperty("imageId").GetGuid() == id).Select(e => e.Data.GetProperty("status").GetString()).ToList();
            Assert.Equal("pending", statuses[0]);
            Assert.Contains("processing", statuses);
            Assert.Equal("complete", statuses[^1]);
        }

        var generationId = accepted.GetProperty("id").GetGuid();
        var generation = await user.WaitForGenerationAsync(generationId);
        Assert.Equal("complete", generation.GetProperty("status").GetString());
        Assert.Equal(prompt, generation.GetProperty("prompt").GetString());
        Assert.Equal("openai", generation.GetProperty("provider").GetString());
        Assert.Equal("gpt-image-1", generation.GetProperty("model").GetString());
        Assert.Equal(42, generation.GetProperty("seed").GetInt64());
        Assert.Equal("16:9", generation.GetProperty("aspectRatio").GetString());
        Assert.Equal(0, generation.GetProperty("creditsRefunded").GetInt32());
        Assert.All(generation.GetProperty("images").EnumerateArray(), i => Assert.Equal("complete", i.GetProperty("status").GetString()));

        var detail = await user.GetJsonAsync($"/api/images/{ids[0]}");
        Assert.Equal("complete", detail.GetProperty("status").GetString());
        Assert.Equal(prompt, detail.GetProperty("generation").GetProperty("prompt").GetString());
        Assert.Equal("cinematic", detail.GetProperty("generation").GetProperty("style").GetString());
        Assert.Equal("png", detail.GetProperty("original").GetProperty("format").GetString());
        Assert.False(string.IsNullOrEmpty(detail.GetProperty("placeholder").GetString()));
        var thumbnail = detail.GetProperty("variants").GetProperty("thumbnail").GetProperty("jpeg").GetProperty("url").GetString()!;
        using (var s3 = new HttpClient())
        {
            Assert.Equal(ImageFormat.Jpeg, new VipsImageEngine().Probe(await s3.GetByteArrayAsync(new Uri(thumbnail))).Format);
        }

        // What reached the provider is its documented request, with the key as a bearer token.
        var sent = Provider.RequestsWithPrompt(prompt);
        Assert.Equal(2, sent.Count);
        Assert.All(sent, r =>
        {
            Assert.Equal("/v1/images/generations", r.Path);
            Assert.Equal($"Bearer {ProviderStandIn.DefaultApiKey}", r.Headers["Authorization"]);
        });

        var generated = await user.GetJsonAsync("/api/images?source=generated");
        Assert.Equal(ids.Order(), generated.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).Order());
        Assert.All(generated.GetProperty("items").EnumerateArray(), i => Assert.Equal(generationId, i.GetProperty("generationId").GetGuid()));
        var uploaded = await user.GetJsonAsync("/api/images?source=uploaded");
        Assert.Empty(uploaded.GetProperty("items").EnumerateArray());

        var ledger = await user.TransactionsAsync();
        Assert.Equal(["spend", "grant"], ledger.Select(t => t.GetProperty("kind").GetString()));
        Assert.Equal(-2, ledger[0].GetProperty("amount").GetInt32());
        Assert.Equal($"generation:{generationId:N}", ledger[0].GetProperty("reference").GetString());
    }

    [Theory]
    [InlineData("[refuse]", "refused")]
    [InlineData("[500]", "unavailable")]
    [InlineData("[slow]", "did not answer")]
    [InlineData("[not-an-image]", "not a PNG, JPEG or WebP image")]
    public async Task A_picture_the_provider_does_not_make_fails_with_a_readable_error_and_its_credits_come_back(string marker, string words)
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var prompt = $"{marker} a fox in the snow {Guid.NewGuid():N}";

        var accepted = await user.GenerateAcceptedAsync(new { prompt });
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant - 1, accepted.GetProperty("balance").GetInt32());

        var generation = await user.WaitForGenerationAsync(accepted.GetProperty("id").GetGuid());
        Assert.Equal("failed", generation.GetProperty("status").GetString());
        Assert.Contains(words, generation.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, generation.GetProperty("creditsRefunded").GetInt32());
        var image = await user.WaitForFinalStatusAsync(accepted.ImageIds()[0]);
        Assert.Equal("failed", image.GetProperty("status").GetString());
        Assert.Contains(words, image.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ProviderStandIn.DefaultApiKey, generation.ToString(), StringComparison.Ordinal);

        Assert.Equal(StoxAppFixture.FreeMonthlyGrant, await user.BalanceAsync());
        var ledger = await user.TransactionsAsync();
        Assert.Equal(["refund", "spend", "grant"], ledger.Select(t => t.GetProperty("kind").GetString()));
        Assert.Equal($"refund:{accepted.ImageIds()[0]:N}", ledger[0].GetProperty("reference").GetString());

        // A picture that was never made cannot be processed again.
        using var reprocess = await user.Http.PostAsync(new Uri($"/api/images/{accepted.ImageIds()[0]}/reprocess", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, reprocess.StatusCode);
    }

    [Fact]
    public async Task A_provider_that_keeps_failing_is_asked_as_often_as_configured_and_no_more()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var prompt = $"[500] a bridge {Guid.NewGuid():N}";

        var accepted = await user.GenerateAcceptedAsync(new { prompt });
        await user.WaitForGenerationAsync(accepted.GetProperty("id").GetGuid());

        Assert.Equal(StoxAppFixture.ProviderAttempts, Provider.RequestsWithPrompt(prompt).Count);
    }

    [Fact]
    public async Task A_rate_limited_provider_is_asked_again_after_its_Retry_After_and_the_picture_is_made()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var prompt = $"[429] a castle {Guid.NewGuid():N}";

        var accepted = await user.GenerateAcceptedAsync(new { prompt });
        var generation = await user.WaitForGenerationAsync(accepted.GetProperty("id").GetGuid());

        Assert.Equal("complete", generation.GetProperty("status").GetString());
        var sent = Provider.RequestsWithPrompt(prompt);
        Assert.Equal(2, sent.Count);
        Assert.True(sent[1].ReceivedAt - sent[0].ReceivedAt >= TimeSpan.FromSeconds(0.9), $"asked again after {(sent[1].ReceivedAt - sent[0].ReceivedAt).TotalMilliseconds} ms");
        Assert.Equal("complete", (await user.WaitForFinalStatusAsync(accepted.ImageIds()[0])).GetProperty("status").GetString());
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant - 1, await user.BalanceAsync());
    }

    [Fact]
    public async Task A_rejected_key_fails_at_once_without_retrying_and_refunds()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var prompt = $"a meadow {Guid.NewGuid():N}";
        Provider.KeyRevoked = true;
        try
        {
            var accepted = await user.GenerateAcceptedAsync(new { prompt });
            var generation = await user.WaitForGenerationAsync(accepted.GetProperty("id").GetGuid());

            Assert.Equal("failed", generation.GetProperty("status").GetString());
            Assert.Contains("key", generation.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(ProviderStandIn.DefaultApiKey, generation.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Single(Provider.RequestsWithPrompt(prompt));
            Assert.Equal(StoxAppFixture.FreeMonthlyGrant, await user.BalanceAsync());
        }
        finally
        {
            Provider.KeyRevoked = false;
        }
    }

    [Fact]
    public async Task Twenty_concurrent_requests_against_ten_credits_accept_exactly_ten_and_the_ledger_adds_up()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var prompt = $"a tree {Guid.NewGuid():N}";

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => user.GenerateAsync(new { prompt })));

        Assert.Equal(10, answers.Count(a => a.Status == HttpStatusCode.Accepted));
        Assert.Equal(10, answers.Count(a => a.Status == HttpStatusCode.PaymentRequired));
        Assert.Equal(0, await user.BalanceAsync());
        var ledger = await user.TransactionsAsync(pageSize: 3);
        Assert.Single(ledger, t => t.GetProperty("kind").GetString() == "grant");
        Assert.Equal(10, ledger.Count(t => t.GetProperty("kind").GetString() == "spend"));
        Assert.Equal(0, ledger.Sum(t => t.GetProperty("amount").GetInt32()));
        Assert.Equal(ledger.Count, ledger.Select(t => t.GetProperty("reference").GetString()).Distinct().Count());
        // Each entry's balance follows from the one before it: nothing was spent twice or from a stale balance.
        var ordered = ledger.AsEnumerable().Reverse().ToList();
        var balance = 0;
        foreach (var entry in ordered)
        {
            balance += entry.GetProperty("amount").GetInt32();
            Assert.Equal(balance, entry.GetProperty("balanceAfter").GetInt32());
        }

        var generations = await user.GetJsonAsync("/api/generations?limit=100");
        Assert.Equal(10, generations.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_short_balance_is_402_naming_the_cost_and_the_balance_and_keeps_nothing()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        await user.GenerateAcceptedAsync(new { prompt = "a boat", count = 4 });
        await user.GenerateAcceptedAsync(new { prompt = "a boat", count = 4 });

        var (status, problem) = await user.GenerateAsync(new { prompt = "a boat", count = 4 });

        Assert.Equal(HttpStatusCode.PaymentRequired, status);
        Assert.Equal("https://stox.dev/problems/insufficient-credits", problem.GetProperty("type").GetString());
        Assert.Equal(4, problem.GetProperty("cost").GetInt32());
        Assert.Equal(2, problem.GetProperty("balance").GetInt32());
        Assert.Equal("This generation costs 4 credits and your balance is 2 credits.", problem.GetProperty("detail").GetString());
        Assert.Equal(2, (await user.GetJsonAsync("/api/generations")).GetProperty("items").GetArrayLength());
        Assert.Equal(8, (await user.GetJsonAsync("/api/images?source=generated")).GetProperty("items").GetArrayLength());
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"prompt": ""}""", "prompt" },
        { """{"prompt": "   "}""", "prompt" },
        { $$"""{"prompt": "{{new string('a', 2001)}}"}""", "prompt" },
        { """{"prompt": "a\u0000b"}""", "prompt" },
        { """{"prompt": "ok", "count": 0}""", "count" },
        { """{"prompt": "ok", "count": 5}""", "count" },
        { """{"prompt": "ok", "aspectRatio": "7:3"}""", "aspectRatio" },
        { """{"prompt": "ok", "style": "watercolour"}""", "style" },
        { """{"prompt": "ok", "seed": -1}""", "seed" },
        { """{"prompt": "ok", "seed": 4294967295}""", "seed" },
        { """{"prompt": "ok", "seed": "abc"}""", "seed" },
        { """{"prompt": "ok", "count": 1.5}""", "count" },
        { """{"prompt": "ok", "formats": "gif"}""", "formats" },
        { $$"""{"prompt": "ok", "negativePrompt": "{{new string('n', 2001)}}"}""", "negativePrompt" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_prompt_or_parameter_is_422_naming_the_field_and_costs_nothing(string json, string field)
    {
        var token = await fixture.GetUserTokenAsync();
        using var http = Client(token);
        var before = await BalanceAsync(http);

        using var response = await http.PostAsync(new Uri("/api/generations", UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var problem = await GenerationClient.BodyAsync(response);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://stox.dev/problems/invalid-generation", problem.GetProperty("type").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await BalanceAsync(http));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_400()
    {
        using var http = Client(await fixture.GetUserTokenAsync());
        using var response = await http.PostAsync(new Uri("/api/generations", UriKind.Relative), new StringContent("prompt=hello", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var broken = await http.PostAsync(new Uri("/api/generations", UriKind.Relative), new StringContent("{\"prompt\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
    }

    [Fact]
    public async Task The_options_tell_the_web_app_what_it_can_offer_and_what_it_costs()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);

        var options = await user.GetJsonAsync("/api/generations/options");

        Assert.True(options.GetProperty("enabled").GetBoolean());
        Assert.Equal("openai", options.GetProperty("provider").GetString());
        Assert.Equal(1, options.GetProperty("costPerImage").GetInt32());
        Assert.Equal(4, options.GetProperty("maxCount").GetInt32());
        Assert.Equal(2000, options.GetProperty("maxPromptLength").GetInt32());
        Assert.Contains("photographic", options.GetProperty("styles").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains("16:9", options.GetProperty("aspectRatios").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant, options.GetProperty("balance").GetInt32());
    }

    [Fact]
    public async Task The_credits_say_the_balance_the_tier_the_grant_and_when_the_next_comes()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);

        var credits = await user.GetJsonAsync("/api/credits");

        Assert.Equal(StoxAppFixture.FreeMonthlyGrant, credits.GetProperty("balance").GetInt32());
        Assert.Equal("free", credits.GetProperty("tier").GetString());
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant, credits.GetProperty("monthlyGrant").GetInt32());
        var now = DateTimeOffset.UtcNow;
        var firstOfNextMonth = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        Assert.Equal(firstOfNextMonth, credits.GetProperty("nextGrantAt").GetDateTimeOffset());
        var grant = Assert.Single(await user.TransactionsAsync());
        Assert.Equal($"grant:{user.UserId:N}:{now:yyyy-MM}", grant.GetProperty("reference").GetString());
    }

    [Fact]
    public async Task The_transactions_page_with_a_cursor_and_refuse_a_bad_one()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        for (var i = 0; i < 3; i++)
        {
            await user.GenerateAcceptedAsync(new { prompt = $"page {i}" });
        }

        var oneByOne = await user.TransactionsAsync(pageSize: 1);
        var all = await user.TransactionsAsync();
        Assert.Equal(4, all.Count);
        Assert.Equal(all.Select(t => t.GetProperty("id").GetGuid()), oneByOne.Select(t => t.GetProperty("id").GetGuid()));

        using var bad = await user.Http.GetAsync(new Uri("/api/credits/transactions?cursor=not-ours", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var badLimit = await user.Http.GetAsync(new Uri("/api/credits/transactions?limit=1000", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    [Fact]
    public async Task Another_users_generation_is_not_found()
    {
        using var owner = await ImagesClient.RegisterAsync(fixture.App);
        using var other = await ImagesClient.RegisterAsync(fixture.App);
        var accepted = await owner.GenerateAcceptedAsync(new { prompt = "mine" });

        using var response = await other.Http.GetAsync(new Uri($"/api/generations/{accepted.GetProperty("id").GetGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty((await other.GetJsonAsync("/api/generations")).GetProperty("items").EnumerateArray());
        using var garbage = await other.Http.GetAsync(new Uri("/api/generations/not-a-guid", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, garbage.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_generated_picture_deletes_its_objects_and_keeps_the_generations_record()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var accepted = await user.GenerateAcceptedAsync(new { prompt = $"a kite {Guid.NewGuid():N}" });
        var id = accepted.ImageIds()[0];
        Assert.Equal("complete", (await user.WaitForFinalStatusAsync(id)).GetProperty("status").GetString());
        var detail = await user.GetJsonAsync($"/api/images/{id}");
        var urls = detail.GetProperty("variants").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).Select(f => f.Value.GetProperty("url").GetString()!).ToList();

        using var delete = await user.Http.DeleteAsync(new Uri($"/api/images/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        using var s3 = new HttpClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var url in urls)
        {
            while ((await s3.GetAsync(new Uri(url), deadline.Token)).StatusCode != HttpStatusCode.NotFound)
            {
                await Task.Delay(200, deadline.Token);
            }
        }

        var generation = await user.GetJsonAsync($"/api/generations/{accepted.GetProperty("id").GetGuid()}");
        Assert.Empty(generation.GetProperty("images").EnumerateArray());
        Assert.Equal(1, generation.GetProperty("creditsCharged").GetInt32());
    }

    [Fact]
    public async Task An_admin_grants_and_takes_credits_with_a_reason_that_the_user_sees()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        using var admin = Client(await fixture.GetAdminTokenAsync());

        using var grant = await admin.PostAsJsonAsync($"/api/admin/credits/{user.UserId}", new { amount = 5, reason = "Sorry for the outage" });
        var granted = await GenerationClient.BodyAsync(grant);
        Assert.True(grant.StatusCode == HttpStatusCode.OK, granted.ToString());
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant + 5, granted.GetProperty("balance").GetInt32());
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant + 5, await user.BalanceAsync());
        var entry = (await user.TransactionsAsync())[0];
        Assert.Equal("adjustment", entry.GetProperty("kind").GetString());
        Assert.Equal("Sorry for the outage", entry.GetProperty("reason").GetString());

        using var take = await admin.PostAsJsonAsync($"/api/admin/credits/{user.UserId}", new { amount = -3, reason = "Refunded by card" });
        Assert.Equal(HttpStatusCode.OK, take.StatusCode);
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant + 2, await user.BalanceAsync());

        using var tooMuch = await admin.PostAsJsonAsync($"/api/admin/credits/{user.UserId}", new { amount = -1000, reason = "Too much" });
        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        Assert.Contains("negative", (await GenerationClient.BodyAsync(tooMuch)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var zero = await admin.PostAsJsonAsync($"/api/admin/credits/{user.UserId}", new { amount = 0, reason = "Nothing" });
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        using var noReason = await admin.PostAsJsonAsync($"/api/admin/credits/{user.UserId}", new { amount = 1 });
        Assert.True((await GenerationClient.BodyAsync(noReason)).GetProperty("errors").TryGetProperty("reason", out _));
        using var notAUser = await admin.PostAsJsonAsync("/api/admin/credits/someone", new { amount = 1, reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, notAUser.StatusCode);

        using var notAdmin = await user.Http.PostAsJsonAsync($"/api/admin/credits/{user.UserId}", new { amount = 100, reason = "Free money" });
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant + 2, await user.BalanceAsync());
    }

    [Fact]
    public async Task An_upgrade_mid_month_tops_the_grant_up_to_the_new_tier_once_and_a_downgrade_takes_nothing()
    {
        const int PremiumGrant = 250, ProGrant = 1000;
        var email = $"upgrade-{Guid.NewGuid():N}@stox.test";
        using var anonymous = fixture.App.CreateHttpClient("gateway");
        Guid userId;
        using (var registered = await anonymous.PostAsJsonAsync("/api/auth/register", new { email, password = UpgradePassword }))
        {
            registered.EnsureSuccessStatusCode();
            userId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetProperty("id").GetGuid();
        }

        using var admin = Client(await fixture.GetAdminTokenAsync());
        using var free = Client(await SignInAsync(anonymous, email));
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant, await BalanceAsync(free));

        async Task<HttpClient> MoveToAsync(string tier)
        {
            using var moved = await admin.PatchAsJsonAsync($"/api/admin/users/{userId}", new { tier });
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            // The tier is read from the access token: the next sign-in carries the new one.
            return Client(await SignInAsync(anonymous, email));
        }

        using (var premium = await MoveToAsync("premium"))
        {
            Assert.Equal(PremiumGrant, await BalanceAsync(premium));
        }

        using (var pro = await MoveToAsync("pro"))
        {
            var credits = await pro.GetFromJsonAsync<JsonElement>("/api/credits");
            Assert.Equal(ProGrant, credits.GetProperty("balance").GetInt32());
            Assert.Equal("pro", credits.GetProperty("tier").GetString());
            Assert.Equal(ProGrant, credits.GetProperty("monthlyGrant").GetInt32());
        }

        // Down and up again in the same month: nothing taken, nothing given twice.
        using (var down = await MoveToAsync("free"))
        {
            Assert.Equal(ProGrant, await BalanceAsync(down));
        }

        using var again = await MoveToAsync("pro");
        Assert.Equal(ProGrant, await BalanceAsync(again));
        var month = $"{DateTimeOffset.UtcNow:yyyy-MM}";
        var grants = (await again.GetFromJsonAsync<JsonElement>("/api/credits/transactions?limit=100")).GetProperty("items").EnumerateArray()
            .Where(t => t.GetProperty("kind").GetString() == "grant")
            .Select(t => (Reference: t.GetProperty("reference").GetString(), Amount: t.GetProperty("amount").GetInt32(), Reason: t.GetProperty("reason").GetString()))
            .OrderBy(t => t.Reference, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(
            [
                ($"grant:{userId:N}:{month}", StoxAppFixture.FreeMonthlyGrant),
                ($"grant:{userId:N}:{month}:premium", PremiumGrant - StoxAppFixture.FreeMonthlyGrant),
                ($"grant:{userId:N}:{month}:pro", ProGrant - PremiumGrant),
            ],
            grants.Select(g => (g.Reference, g.Amount)));
        Assert.Equal($"Upgrade to the pro plan: the rest of its grant for {month}", grants[2].Reason);
    }

    private const string UpgradePassword = "a-long-enough-passphrase-1";

    private static async Task<string> SignInAsync(HttpClient anonymous, string email)
    {
        using var response = await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = UpgradePassword });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private HttpClient Client(string token)
    {
        var http = fixture.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    private static async Task<int> BalanceAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/credits")).GetProperty("balance").GetInt32();
}
