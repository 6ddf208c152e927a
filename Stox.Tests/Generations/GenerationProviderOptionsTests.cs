using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stox.Jobs.Generations.Providers;

namespace Stox.Tests.Generations;

public sealed class GenerationProviderOptionsTests
{
    [Fact]
    public async Task Unknown_provider_fails_start_up_naming_it_and_the_choices()
    {
        await using var host = ProviderTestHost.Create(new Dictionary<string, string?> { ["Provider"] = "midjourney", ["ApiKey"] = "k" });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        var failure = Assert.Single(e.Failures);
        Assert.Contains("'midjourney' is not known", failure, StringComparison.Ordinal);
        Assert.Contains("'stability', 'openai'", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stability")]
    [InlineData("openai")]
    public async Task Enabled_without_a_key_fails_start_up(string provider)
    {
        await using var host = ProviderTestHost.Create(new Dictionary<string, string?> { ["Provider"] = provider, ["ApiKey"] = "" });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains(e.Failures, f => f.Contains("Generation:ApiKey is required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_stability_model_and_out_of_range_values_fail_start_up()
    {
        await using var host = ProviderTestHost.Create(new Dictionary<string, string?>
        {
            ["Provider"] = "stability", ["ApiKey"] = "k", ["Model"] = "sdxl-1.0", ["MaxAttempts"] = "0",
        });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains(e.Failures, f => f.Contains("'sdxl-1.0' is not a Stability AI v2beta model", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains(nameof(GenerationProviderOptions.MaxAttempts), StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_provider_is_off_the_catalog_says_so_and_no_provider_resolves()
    {
        await using var host = ProviderTestHost.Create(new Dictionary<string, string?> { ["Provider"] = "" });
        await host.StartAsync();

        Assert.False(host.Catalog.IsEnabled);
        Assert.Null(host.Catalog.Current);
        Assert.Null(host.Services.GetService<IImageProvider>());
    }

    [Theory]
    [InlineData("stability", "https://api.stability.ai/", "core")]
    [InlineData("OpenAI", "https://api.openai.com/v1", "gpt-image-1")]
    public async Task Defaults_per_provider(string provider, string endpoint, string model)
    {
        await using var host = ProviderTestHost.Create(new Dictionary<string, string?> { ["Provider"] = provider, ["ApiKey"] = "k" });
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<GenerationProviderOptions>>().Value;
        Assert.True(options.IsEnabled);
        Assert.Equal(new Uri(endpoint), options.GetEndpoint());
        Assert.Equal(model, options.GetModel());
        Assert.Equal(TimeSpan.FromSeconds(60), new GenerationProviderOptions().RequestTimeout);
        Assert.Equal(4, new GenerationProviderOptions().MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), new GenerationProviderOptions().RetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), new GenerationProviderOptions().MaxRetryAfter);
        Assert.True(host.Catalog.IsEnabled);
        Assert.Equal(provider.ToLowerInvariant(), host.Catalog.Current!.Name);
        Assert.Same(host.Catalog.Current, host.Services.GetRequiredService<IImageProvider>());
    }

    [Fact]
    public async Task Under_the_service_defaults_the_client_keeps_only_its_own_retries()
    {
        await using var standIn = await ProviderStandIn.StartAsync();
        await using var host = ProviderTestHost.Create(new Dictionary<string, string?>
        {
            ["Provider"] = "stability", ["Endpoint"] = standIn.StabilityBaseUrl, ["ApiKey"] = standIn.ApiKey, ["MaxAttempts"] = "2",
        }, serviceDefaults: true);
        var ok = $"ok {Guid.NewGuid():N}";
        var failing = $"fails {Guid.NewGuid():N} [500]";

        Assert.Single(await host.Provider.GenerateAsync(new ProviderRequest(ok, null, null, "1:1", null, 1), CancellationToken.None));
        var e = await Assert.ThrowsAsync<ProviderException>(() => host.Provider.GenerateAsync(new ProviderRequest(failing, null, null, "1:1", null, 1), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Unavailable, e.Kind);
        Assert.Equal(2, standIn.RequestsWithPrompt(failing).Count);
    }

    [Fact]
    public void Aspect_ratios_and_styles_are_the_documented_lists()
    {
        Assert.Equal(["1:1", "16:9", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"], AspectRatios.All);
        Assert.Equal("1:1", AspectRatios.Default);
        Assert.Equal(17, ImageStyles.All.Count);
        Assert.True(ImageStyles.IsSupported("pixel-art"));
        Assert.False(ImageStyles.IsSupported("watercolour"));
        Assert.False(AspectRatios.IsSupported("4:3"));
    }
}
