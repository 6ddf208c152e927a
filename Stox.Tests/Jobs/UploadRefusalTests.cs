using System.Net;
using System.Text;
using System.Text.Json;
using Stox.Tests.Imaging;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Jobs;

/// <summary>What a careless or hostile client may send: each gets a specific answer, nothing half-stored, and the pipeline keeps serving.</summary>
[Collection(SystemCollection.Name)]
public sealed class UploadRefusalTests(StoxAppFixture fixture)
{
    [Theory]
    [InlineData("empty.jpg", "", 400, "empty-file", "is empty")]
    [InlineData("notes.jpg", "just some text, renamed", 415, "unsupported-image", "(detected: text)")]
    [InlineData("invoice.jpg", "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", 415, "unsupported-image", "(detected: PDF)")]
    [InlineData("drawing.png", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", 415, "unsupported-image", "(detected: SVG)")]
    public async Task Files_that_are_not_images_are_refused_with_what_they_are(string name, string content, int status, string type, string detail)
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        using var response = await user.UploadAsync(ImagesClient.Form((name, Encoding.UTF8.GetBytes(content))));

        var problem = await AssertProblemAsync(response, status, type);
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await user.GetJsonAsync("/api/images")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_png_bomb_is_refused_from_its_header_before_it_is_stored()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        using var response = await user.UploadAsync(ImagesClient.Form(("bomb.png", TestImages.PngBomb(20_000, 20_000))));

        var problem = await AssertProblemAsync(response, 422, "too-many-pixels");
        Assert.Contains("20000 x 20000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_and_nothing_is_kept()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var oversize = new byte[(50 * 1024 * 1024) + 1];
        ImagesClient.SmallJpeg.CopyTo(oversize, 0);
        using var response = await user.UploadAsync(ImagesClient.Form(("huge.jpg", oversize)));

        await AssertProblemAsync(response, 413, "file-too-large");
        Assert.Empty((await user.GetJsonAsync("/api/images")).GetProperty("items").EnumerateArray());
        Assert.Equal(0, (await user.GetJsonAsync("/api/account/usage")).GetProperty("uploadsThisMonth").GetInt64());
    }

    [Fact]
    public async Task A_truncated_photo_fails_with_a_readable_error_and_the_next_one_still_completes()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var photo = ImagesClient.Photo(800, 600);
        var truncated = photo[..(photo.Length / 2)];

        var broken = (await user.UploadOneAsync("cut.jpg", truncated)).GetProperty("id").GetGuid();
        var fine = (await user.UploadOneAsync("fine.jpg", photo)).GetProperty("id").GetGuid();

        var failed = await user.WaitForFinalStatusAsync(broken);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("truncated", failed.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("complete", (await user.WaitForFinalStatusAsync(fine)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Bad_options_and_bodies_are_refused_before_anything_is_stored()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);

        using var badFormat = await user.UploadAsync(ImagesClient.Form(("a.jpg", ImagesClient.SmallJpeg)), query: "?formats=jpeg,bmp");
        Assert.Contains("'bmp' is not an output format", (await AssertProblemAsync(badFormat, 400, "bad-request")).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var badEnhance = await user.UploadAsync(ImagesClient.Form(("a.jpg", ImagesClient.SmallJpeg)), query: "?enhance=maybe");
        await AssertProblemAsync(badEnhance, 400, "bad-request");

        using var json = await user.Http.PostAsync(new Uri("/api/images", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(json, 415, "not-multipart");

        using var noFile = new MultipartFormDataContent { { new StringContent("true"), "enhance" } };
        using var noFileResponse = await user.UploadAsync(noFile);
        await AssertProblemAsync(noFileResponse, 400, "no-file");

        using var badKey = await user.UploadAsync(ImagesClient.Form(("a.jpg", ImagesClient.SmallJpeg)), idempotencyKey: new string('k', 300));
        await AssertProblemAsync(badKey, 400, "bad-request");

        using var badCursor = await user.Http.GetAsync(new Uri("/api/images?cursor=not-a-cursor&limit=1000", UriKind.Relative));
        var validation = await AssertProblemAsync(badCursor, 400, "validation");
        Assert.True(validation.GetProperty("errors").TryGetProperty("cursor", out _));
        Assert.True(validation.GetProperty("errors").TryGetProperty("limit", out _));

        using var badPresign = await user.Http.PostAsync(new Uri("/api/images/uploads", UriKind.Relative),
            new StringContent("""{"fileName":"x.exe","contentType":"application/x-msdownload","size":-1}""", Encoding.UTF8, "application/json"));
        var presignProblem = await AssertProblemAsync(badPresign, 400, "validation");
        Assert.True(presignProblem.GetProperty("errors").TryGetProperty("contentType", out _));
        Assert.True(presignProblem.GetProperty("errors").TryGetProperty("size", out _));

        Assert.Empty((await user.GetJsonAsync("/api/images")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Uploads_past_the_monthly_quota_are_refused_and_the_ones_before_it_kept()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var tiny = TestImages.Png(TestImages.Solid(8, 8, TestImages.Green));
        for (var batch = 0; batch < 3; batch++)
        {
            var count = batch < 2 ? 20 : 10;
            using var accepted = await user.UploadAsync(ImagesClient.Form([.. Enumerable.Range(0, count).Select(i => ($"{batch}-{i}.png", tiny))]));
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using var refused = await user.UploadAsync(ImagesClient.Form(("one-too-many.png", tiny)));
        var problem = await AssertProblemAsync(refused, 429, "quota-exceeded");
        Assert.Equal(50, problem.GetProperty("quota").GetInt32());
        Assert.Equal("free", problem.GetProperty("tier").GetString());
        Assert.Equal(50, (await user.GetJsonAsync("/api/account/usage")).GetProperty("uploadsThisMonth").GetInt64());
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal($"https://stox.dev/problems/{type}", problem.GetProperty("type").GetString());
        return problem;
    }
}
