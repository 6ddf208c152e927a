using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Stox.Frontend.Backends;
using Stox.Frontend.Components;
using Stox.Frontend.Gallery;
using Stox.Frontend.Images;

namespace Stox.Tests.Frontend;

/// <summary>Pieces of the web app checked without a browser or a system: rendering, messages, URLs.</summary>
public sealed class ComponentTests
{
    private static async Task<string> RenderAsync<T>(IDictionary<string, object?> parameters) where T : IComponent
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    [Fact]
    public async Task A_complete_tile_offers_AVIF_WebP_and_JPEG_lazily_over_its_placeholder()
    {
        var item = new ImageListItem("img-1", "Beach <b>.jpg", "complete", DateTimeOffset.UtcNow, 4000, 3000, null,
            new ThumbnailSet("https://s3.example/t.jpg", "https://s3.example/t.webp", "https://s3.example/t.avif"), "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "#a1b2c3");
        var html = await RenderAsync<GalleryCard>(new Dictionary<string, object?> { ["Card"] = CardModel.From(item) });

        Assert.Contains("<source type=\"image/avif\" srcset=\"https://s3.example/t.avif 1x, /media/img-1/small?format=avif 2x\"", html, StringComparison.Ordinal);
        Assert.Contains("<source type=\"image/webp\"", html, StringComparison.Ordinal);
        Assert.Contains("src=\"https://s3.example/t.jpg\"", html, StringComparison.Ordinal);
        Assert.Contains("loading=\"lazy\"", html, StringComparison.Ordinal);
        Assert.Contains("data-blurhash=\"LEHV6nWB2yk8pyo0adR*.7kCMdnj\"", html, StringComparison.Ordinal);
        Assert.Contains("background-color: #a1b2c3", html, StringComparison.Ordinal);
        Assert.Contains("alt=\"Beach &lt;b&gt;.jpg\"", html, StringComparison.Ordinal);
        Assert.Contains(">Ready<", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pending_tile_has_no_picture_and_a_hostile_colour_is_dropped()
    {
        var item = new ImageListItem("img-2", "x.png", "pending", DateTimeOffset.UtcNow, null, null, null, null, null, "red;background:url(https://evil)");
        var html = await RenderAsync<GalleryCard>(new Dictionary<string, object?> { ["Card"] = CardModel.From(item) });

        Assert.DoesNotContain("<picture", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", html, StringComparison.Ordinal);
        Assert.Contains("data-status=\"pending\"", html, StringComparison.Ordinal);
        Assert.Contains(">Waiting<", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_generated_tile_carries_its_mark_and_an_upload_does_not()
    {
        var generated = new ImageListItem("img-3", "a fox in the snow", "pending", DateTimeOffset.UtcNow, null, null, null, null, null, null, "gen-1");
        var html = await RenderAsync<GalleryCard>(new Dictionary<string, object?> { ["Card"] = CardModel.From(generated) });
        Assert.Contains("data-source=\"generated\"", html, StringComparison.Ordinal);
        Assert.Contains(">Generated<", html, StringComparison.Ordinal);

        var uploaded = new ImageListItem("img-4", "x.png", "pending", DateTimeOffset.UtcNow, null, null, null, null, null, null);
        html = await RenderAsync<GalleryCard>(new Dictionary<string, object?> { ["Card"] = CardModel.From(uploaded) });
        Assert.Contains("data-source=\"uploaded\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">Generated<", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_generated_tile_shows_its_error()
    {
        var image = new ImageDetail("img-5", "a fox", "failed", "The provider refused the prompt <script>.", null, DateTimeOffset.UtcNow, false, null, null, null, null, null,
            new ImageGeneration("gen-1", "a fox", null, null, "1:1", "openai", "gpt-image-1", 7, DateTimeOffset.UtcNow));
        var html = await RenderAsync<GalleryCard>(new Dictionary<string, object?> { ["Card"] = CardModel.From(image) });
        Assert.Contains(">Failed<", html, StringComparison.Ordinal);
        Assert.Contains("The provider refused the prompt &lt;script&gt;.", html, StringComparison.Ordinal);
        Assert.Contains(">Generated<", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generation_facts_show_the_prompt_and_every_setting()
    {
        var generation = new ImageGeneration("gen-2", "a lighthouse\nat dusk", "people", "photographic", "16:9", "stability", "sd3.5-large", 42, DateTimeOffset.Parse("2026-12-01T10:00:00Z"));
        var html = await RenderAsync<GenerationFacts>(new Dictionary<string, object?> { ["Generation"] = generation });
        // The line break is kept (the renderer may write it as a character reference).
        Assert.Matches("a lighthouse(\n|&#xA;|&#10;)at dusk", html);
        Assert.Contains(">people<", html, StringComparison.Ordinal);
        Assert.Contains(">photographic<", html, StringComparison.Ordinal);
        Assert.Contains(">16:9<", html, StringComparison.Ordinal);
        Assert.Contains(">stability<", html, StringComparison.Ordinal);
        Assert.Contains(">sd3.5-large<", html, StringComparison.Ordinal);
        Assert.Contains(">42<", html, StringComparison.Ordinal);

        html = await RenderAsync<GenerationFacts>(new Dictionary<string, object?> { ["Generation"] = generation with { NegativePrompt = null, Style = null, Seed = null } });
        Assert.DoesNotContain("Negative prompt", html, StringComparison.Ordinal);
        Assert.Contains(">None<", html, StringComparison.Ordinal);
        Assert.Contains(">Random<", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, null, "/")]
    [InlineData("failed", null, null, "/?status=failed")]
    [InlineData(null, "generated", null, "/?source=generated")]
    [InlineData("complete", "uploaded", "abc=", "/?cursor=abc%3D&status=complete&source=uploaded")]
    public void Gallery_urls_keep_both_filters(string? status, string? source, string? cursor, string expected) =>
        Assert.Equal(expected, GalleryFragments.Url(status, source, cursor));

    [Theory]
    [InlineData(1, "1 credit")]
    [InlineData(0, "0 credits")]
    [InlineData(12, "12 credits")]
    public void Credits_read_well(int credits, string expected) => Assert.Equal(expected, Format.Credits(credits));

    [Theory]
    [InlineData("/api/images/abc/content/small?format=webp", "/media/abc/small?format=webp")]
    [InlineData("https://cdn.example/v/abc/small.webp", "https://cdn.example/v/abc/small.webp")]
    [InlineData(null, null)]
    public void Content_urls_of_jobs_go_through_the_app(string? url, string? expected) => Assert.Equal(expected, MediaEndpoints.Resolve(url));

    [Theory]
    [InlineData("/images/1?size=large", "/images/1?size=large")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData(null, "/")]
    public void Return_urls_stay_on_the_site(string? url, string expected) => Assert.Equal(expected, LocalUrl.Safe(url));

    [Fact]
    public void Problems_read_as_sentences()
    {
        var limited = new ApiProblem(429, "https://stox.dev/problems/too-many-attempts", "Too many attempts", "Too many failed sign-ins.", ApiProblem.Empty, TimeSpan.FromSeconds(840));
        Assert.Equal("Too many failed sign-ins. Try again in 14 minutes.", limited.Message);
        Assert.Equal("too-many-attempts", limited.Name);

        var validation = new ApiProblem(400, "https://stox.dev/problems/validation", "Invalid", null,
            new Dictionary<string, string[]> { ["password"] = ["Too common."] }, null);
        Assert.Equal("Too common.", validation.ErrorFor("Password"));
        Assert.Equal("Invalid", validation.Message);
        Assert.Equal("Something went wrong on our side. Please try again in a moment.", new ApiProblem(502, null, null, null, ApiProblem.Empty, null).Message);
    }

    [Theory]
    [InlineData("processing", 0.4, "Processing 40%")]
    [InlineData("processing", 40.0, "Processing 40%")]
    [InlineData("processing", null, "Processing")]
    [InlineData("complete", null, "Ready")]
    [InlineData("failed", null, "Failed")]
    public void Status_badges_read_well(string status, double? progress, string expected) => Assert.Equal(expected, Format.Status(status, progress));
}
