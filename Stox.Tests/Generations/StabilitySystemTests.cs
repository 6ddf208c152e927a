using System.Text.Json;
using Aspire.Hosting;
using Stox.Tests.Infrastructure;
using Stox.Tests.Jobs;

namespace Stox.Tests.Generations;

/// <summary>Generation through Stability AI's v2beta Stable Image API (its local stand-in), and across a broker outage.</summary>
[Collection(JobsReliabilityCollection.Name)]
public sealed class StabilitySystemTests(JobsReliabilityFixture fixture)
{
    private ProviderStandIn Provider => fixture.Provider;

    [Fact]
    public async Task A_stability_picture_is_asked_for_as_documented_and_keeps_the_seed_the_provider_used()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var prompt = $"A harbour in the rain {Guid.NewGuid():N}";

        var accepted = await user.GenerateAcceptedAsync(new { prompt, negativePrompt = "people", style = "photographic", aspectRatio = "3:2", seed = 7 });
        var generation = await user.WaitForGenerationAsync(accepted.GetProperty("id").GetGuid());
        Assert.Equal("complete", generation.GetProperty("status").GetString());
        Assert.Equal("stability", generation.GetProperty("provider").GetString());
        Assert.Equal("core", generation.GetProperty("model").GetString());

        var sent = Assert.Single(Provider.RequestsWithPrompt(prompt));
        Assert.Equal("/v2beta/stable-image/generate/core", sent.Path);
        Assert.StartsWith("image/", sent.Headers["Accept"], StringComparison.Ordinal);
        Assert.Equal($"Bearer {ProviderStandIn.DefaultApiKey}", sent.Headers["Authorization"]);
        Assert.Equal(prompt, sent.Fields["prompt"]);
        Assert.Equal("people", sent.Fields["negative_prompt"]);
        Assert.Equal("photographic", sent.Fields["style_preset"]);
        Assert.Equal("3:2", sent.Fields["aspect_ratio"]);
        Assert.Equal("7", sent.Fields["seed"]);
        Assert.Equal("png", sent.Fields["output_format"]);

        var id = accepted.ImageIds()[0];
        Assert.Equal("complete", (await user.WaitForFinalStatusAsync(id)).GetProperty("status").GetString());
        var detail = await user.GetJsonAsync($"/api/images/{id}");
        Assert.Equal(7, detail.GetProperty("generation").GetProperty("seed").GetInt64());
        Assert.Equal("png", detail.GetProperty("original").GetProperty("format").GetString());
    }

    [Theory]
    [InlineData("[refuse]")]
    [InlineData("[filtered]")]
    public async Task Stabilitys_moderation_fails_the_picture_and_refunds_it(string marker)
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var before = await user.BalanceAsync();

        var accepted = await user.GenerateAcceptedAsync(new { prompt = $"{marker} something {Guid.NewGuid():N}" });
        var generation = await user.WaitForGenerationAsync(accepted.GetProperty("id").GetGuid());

        Assert.Equal("failed", generation.GetProperty("status").GetString());
        Assert.Contains("refused", generation.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await user.BalanceAsync());
    }

    [Fact]
    public async Task A_generation_whose_provider_never_answers_in_time_is_given_up_and_refunded_once_and_its_late_picture_is_dropped()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var before = await user.BalanceAsync();
        var prompt = $"[slow] a lighthouse at dusk {Guid.NewGuid():N}";

        var accepted = await user.GenerateAcceptedAsync(new { prompt, count = 2 });
        Assert.Equal(before - 2, accepted.GetProperty("balance").GetInt32());
        var generation = await user.WaitForGenerationAsync(accepted.GetProperty("id").GetGuid(), TimeSpan.FromSeconds(25));

        // Given up by the maintenance sweep while the provider still holds both requests (it answers after 30 s).
        Assert.Equal("failed", generation.GetProperty("status").GetString());
        Assert.Contains("never came", generation.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, generation.GetProperty("creditsRefunded").GetInt32());
        Assert.True(Provider.RequestsWithPrompt(prompt).All(r => DateTimeOffset.UtcNow - r.ReceivedAt < ProviderStandIn.SlowDelay));
        foreach (var id in accepted.ImageIds())
        {
            var image = await user.GetJsonAsync($"/api/images/{id}");
            Assert.Equal("failed", image.GetProperty("status").GetString());
            Assert.Contains("refunded", image.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await user.BalanceAsync());

        // The provider's late answers find their pictures given up: nothing is processed, nothing refunded twice.
        var lastAnswer = Provider.RequestsWithPrompt(prompt).Max(r => r.ReceivedAt) + ProviderStandIn.SlowDelay;
        await Task.Delay(lastAnswer - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5));
        foreach (var id in accepted.ImageIds())
        {
            var image = await user.GetJsonAsync($"/api/images/{id}");
            Assert.Equal("failed", image.GetProperty("status").GetString());
            Assert.Empty(image.GetProperty("variants").EnumerateObject());
        }

        var settled = await user.GetJsonAsync($"/api/generations/{accepted.GetProperty("id").GetGuid()}");
        Assert.Equal(generation.GetProperty("error").GetString(), settled.GetProperty("error").GetString());
        Assert.Equal(before, await user.BalanceAsync());
        var refunds = (await user.TransactionsAsync()).Where(t => t.GetProperty("kind").GetString() == "refund").Select(t => t.GetProperty("reference").GetString()).ToList();
        Assert.Equal(accepted.ImageIds().Select(id => $"refund:{id:N}").Order(StringComparer.Ordinal), refunds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_generation_accepted_while_the_broker_is_down_is_made_once_it_is_back()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var prompt = $"patient {Guid.NewGuid():N}";
        JsonElement accepted;
        await fixture.App.StopResourceAsync("messaging");
        try
        {
            accepted = await user.GenerateAcceptedAsync(new { prompt });
            // Past the stuck-generation timeout: a generation whose message is still in the outbox is not stuck.
            await Task.Delay(JobsReliabilityFixture.StuckGenerationTimeout + TimeSpan.FromSeconds(2));
            Assert.Empty(Provider.RequestsWithPrompt(prompt));
        }
        finally
        {
            await fixture.App.StartResourceAsync("messaging");
        }

        var generation = await user.WaitForGenerationAsync(accepted.GetProperty("id").GetGuid(), TimeSpan.FromMinutes(2));
        Assert.Equal("complete", generation.GetProperty("status").GetString());
        Assert.Equal("complete", (await user.WaitForFinalStatusAsync(accepted.ImageIds()[0], TimeSpan.FromMinutes(2))).GetProperty("status").GetString());
        Assert.Single(Provider.RequestsWithPrompt(prompt));
    }
}
