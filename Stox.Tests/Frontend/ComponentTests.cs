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
