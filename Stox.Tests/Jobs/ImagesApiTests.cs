using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Imaging;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Jobs;

/// <summary>The images API through the gateway, against the whole running system.</summary>
[Collection(SystemCollection.Name)]
public sealed class ImagesApiTests(StoxAppFixture fixture)
{
    private static readonly Dictionary<string, int> PresetBox = new() { ["thumbnail"] = 150, ["small"] = 480, ["medium"] = 1024, ["large"] = 1920 };

    [Fact]
    public async Task An_uploaded_photo_completes_live_and_every_variant_has_its_real_size_and_format()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        using var events = await user.OpenEventsAsync();
        var photo = ImagesClient.Photo(2400, 1600);

        var upload = await user.UploadOneAsync("holiday.jpg", photo, "?formats=jpeg,webp,avif");
        var id = upload.GetProperty("id").GetGuid();
        Assert.Equal("pending", upload.GetProperty("status").GetString());
        Assert.Equal($"/api/images/{id}/status", upload.GetProperty("statusUrl").GetString());
        Assert.Equal("/api/images/events", upload.GetProperty("eventsUrl").GetString());

        var seen = await events.UntilFinalAsync([id], TimeSpan.FromSeconds(90));
        var statuses = seen.Where(e => e.Data.GetProperty("imageId").GetGuid() == id).Select(e => e.Data.GetProperty("status").GetString()).ToList();
        Assert.Equal("pending", statuses[0]);
        Assert.Contains("processing", statuses);
        Assert.Equal("complete", statuses[^1]);

        var detail = await user.GetJsonAsync($"/api/images/{id}");
        Assert.Equal("complete", detail.GetProperty("status").GetString());
        Assert.Equal("holiday.jpg", detail.GetProperty("originalName").GetString());
        Assert.Equal(2400, detail.GetProperty("original").GetProperty("width").GetInt32());
        Assert.Equal(photo.Length, detail.GetProperty("original").GetProperty("bytes").GetInt64());
        Assert.False(string.IsNullOrEmpty(detail.GetProperty("placeholder").GetString()));
        Assert.StartsWith("#", detail.GetProperty("dominantColor").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, detail.GetProperty("timings").GetProperty("finishedAt").ValueKind);

        using var download = new HttpClient();
        var engine = new VipsImageEngine();
        var variants = detail.GetProperty("variants");
        Assert.Equal(["large", "medium", "original", "small", "thumbnail"], variants.EnumerateObject().Select(p => p.Name).Order());
        foreach (var preset in variants.EnumerateObject())
        {
            Assert.Equal(["avif", "jpeg", "webp"], preset.Value.EnumerateObject().Select(p => p.Name).Order());
            foreach (var format in preset.Value.EnumerateObject())
            {
                var bytes = await download.GetByteArrayAsync(new Uri(format.Value.GetProperty("url").GetString()!));
                var info = engine.Probe(bytes);
                Assert.Equal(format.Name, info.Format.ToString().ToLowerInvariant());
                Assert.Equal(format.Value.GetProperty("width").GetInt32(), info.Width);
                Assert.Equal(format.Value.GetProperty("height").GetInt32(), info.Height);
                Assert.Equal(format.Value.GetProperty("bytes").GetInt64(), bytes.Length);
                var (expectedWidth, expectedHeight) = preset.Name switch
                {
                    "original" => (2400, 1600),
                    "thumbnail" => (150, 150),
                    _ => (PresetBox[preset.Name], (int)Math.Round(PresetBox[preset.Name] * 1600.0 / 2400)),
                };
                Assert.Equal((expectedWidth, expectedHeight), (info.Width, info.Height));
            }
        }
    }

    [Fact]
    public async Task Several_files_in_one_request_become_one_image_each_and_the_list_pages_newest_first()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        using var response = await user.UploadAsync(ImagesClient.Form(("a.jpg", ImagesClient.SmallJpeg), ("b.jpg", ImagesClient.SmallJpeg), ("c.jpg", ImagesClient.SmallJpeg)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var images = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("images");
        var ids = images.EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(3, ids.Distinct().Count());
        foreach (var id in ids)
        {
            Assert.Equal("complete", (await user.WaitForFinalStatusAsync(id)).GetProperty("status").GetString());
        }

        var first = await user.GetJsonAsync("/api/images?limit=2");
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        var second = await user.GetJsonAsync($"/api/images?limit=2&cursor={first.GetProperty("nextCursor").GetString()}");
        Assert.Equal(1, second.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var listed = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(Enumerable.Reverse(ids), listed);

        var item = first.GetProperty("items")[0];
        Assert.Equal("c.jpg", item.GetProperty("originalName").GetString());
        Assert.Contains("webp", item.GetProperty("thumbnails").EnumerateObject().Select(p => p.Name));
        using var download = new HttpClient();
        var thumbnail = await download.GetByteArrayAsync(new Uri(item.GetProperty("thumbnailUrl").GetString()!));
        Assert.Equal((150, 150), (new VipsImageEngine().Probe(thumbnail).Width, new VipsImageEngine().Probe(thumbnail).Height));

        Assert.Equal(3, (await user.GetJsonAsync("/api/images?status=complete")).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await user.GetJsonAsync("/api/images?status=failed")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_same_idempotency_key_gives_the_same_answer_and_no_second_image()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        using var first = await user.UploadAsync(ImagesClient.Form(("once.jpg", ImagesClient.SmallJpeg)), idempotencyKey: "upload-42");
        using var again = await user.UploadAsync(ImagesClient.Form(("once.jpg", ImagesClient.SmallJpeg)), idempotencyKey: "upload-42");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var firstId = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        Assert.Equal(firstId, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, (await user.GetJsonAsync("/api/images")).GetProperty("items").GetArrayLength());

        // Another user with the same key is another request.
        using var other = await ImagesClient.RegisterAsync(fixture.App);
        var otherUpload = await other.UploadAsync(ImagesClient.Form(("once.jpg", ImagesClient.SmallJpeg)), idempotencyKey: "upload-42");
        Assert.NotEqual(firstId, JsonDocument.Parse(await otherUpload.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_presigned_upload_goes_straight_to_storage_and_is_processed_once_completed()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var photo = ImagesClient.Photo(1200, 900);
        using var create = await user.Http.PostAsJsonAsync("/api/images/uploads", new { fileName = "big.jpg", contentType = "image/jpeg", size = photo.Length, enhance = true });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var ticket = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement;
        var id = ticket.GetProperty("id").GetGuid();
        Assert.Empty((await user.GetJsonAsync("/api/images")).GetProperty("items").EnumerateArray());

        using (var early = await user.Http.PostAsync(new Uri($"/api/images/{id}/complete", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        }

        using (var s3 = new HttpClient())
        using (var put = new ByteArrayContent(photo))
        {
            put.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
            using var stored = await s3.PutAsync(new Uri(ticket.GetProperty("uploadUrl").GetString()!), put);
            Assert.True(stored.IsSuccessStatusCode, await stored.Content.ReadAsStringAsync());
        }

        using var complete = await user.Http.PostAsync(new Uri(ticket.GetProperty("completeUrl").GetString()!, UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, complete.StatusCode);
        Assert.Equal("complete", (await user.WaitForFinalStatusAsync(id)).GetProperty("status").GetString());
        var detail = await user.GetJsonAsync($"/api/images/{id}");
        Assert.True(detail.GetProperty("enhance").GetBoolean());
        Assert.Equal(5, detail.GetProperty("enhanced").EnumerateObject().Count());

        // Completing again changes nothing.
        using var twice = await user.Http.PostAsync(new Uri($"/api/images/{id}/complete", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, twice.StatusCode);
        Assert.Single((await user.GetJsonAsync("/api/images")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Content_redirects_to_the_best_format_the_client_accepts()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var id = (await user.UploadOneAsync("pick.jpg", ImagesClient.SmallJpeg, "?formats=jpeg,webp,avif")).GetProperty("id").GetGuid();
        await user.WaitForFinalStatusAsync(id);

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.App.GetEndpoint("gateway") };
        noRedirects.DefaultRequestHeaders.Authorization = user.Http.DefaultRequestHeaders.Authorization;

        async Task<string> RedirectFor(string accept, string query = "")
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/images/{id}/content/small{query}");
            request.Headers.TryAddWithoutValidation("Accept", accept);
            using var response = await noRedirects.SendAsync(request);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            return response.Headers.Location!.AbsolutePath;
        }

        Assert.EndsWith("/small.avif", await RedirectFor("image/avif,image/webp,image/*,*/*;q=0.8"), StringComparison.Ordinal);
        Assert.EndsWith("/small.webp", await RedirectFor("image/webp,*/*"), StringComparison.Ordinal);
        Assert.EndsWith("/small.jpg", await RedirectFor("image/avif;q=0,*/*"), StringComparison.Ordinal);
        Assert.EndsWith("/small.jpg", await RedirectFor("*/*"), StringComparison.Ordinal);
        Assert.EndsWith("/small.webp", await RedirectFor("*/*", "?format=webp"), StringComparison.Ordinal);

        using var unknown = await user.Http.GetAsync(new Uri($"/api/images/{id}/content/huge", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var noEnhanced = await user.Http.GetAsync(new Uri($"/api/images/{id}/content/small?enhanced=true", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, noEnhanced.StatusCode);
    }

    [Fact]
    public async Task Reprocess_runs_a_new_job_on_the_same_original_and_delete_removes_every_object()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var id = (await user.UploadOneAsync("again.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid();
        await user.WaitForFinalStatusAsync(id);
        var firstJob = (await user.GetJsonAsync($"/api/images/{id}")).GetProperty("job").GetProperty("id").GetGuid();

        using var reprocess = await user.Http.PostAsJsonAsync($"/api/images/{id}/reprocess", new { enhance = true });
        Assert.Equal(HttpStatusCode.Accepted, reprocess.StatusCode);
        Assert.Equal("complete", (await user.WaitForFinalStatusAsync(id)).GetProperty("status").GetString());
        var detail = await user.GetJsonAsync($"/api/images/{id}");
        Assert.NotEqual(firstJob, detail.GetProperty("job").GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.Object, detail.GetProperty("enhanced").ValueKind);

        var urls = detail.GetProperty("variants").EnumerateObject().Concat(detail.GetProperty("enhanced").EnumerateObject())
            .SelectMany(p => p.Value.EnumerateObject()).Select(f => f.Value.GetProperty("url").GetString()!).ToList();
        using var delete = await user.Http.DeleteAsync(new Uri($"/api/images/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await user.Http.GetAsync(new Uri($"/api/images/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        using var s3 = new HttpClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var url in urls)
        {
            // The pre-signed URLs are still valid: only the objects' absence can make them 404.
            while ((await s3.GetAsync(new Uri(url), deadline.Token)).StatusCode != HttpStatusCode.NotFound)
            {
                await Task.Delay(200, deadline.Token);
            }
        }
    }

    [Fact]
    public async Task Another_users_image_is_not_found_whatever_is_asked()
    {
        using var owner = await ImagesClient.RegisterAsync(fixture.App);
        using var stranger = await ImagesClient.RegisterAsync(fixture.App);
        var id = (await owner.UploadOneAsync("mine.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid();
        await owner.WaitForFinalStatusAsync(id);

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/api/images/{id}"),
            (HttpMethod.Get, $"/api/images/{id}/status"),
            (HttpMethod.Get, $"/api/images/{id}/content/small"),
            (HttpMethod.Post, $"/api/images/{id}/reprocess"),
            (HttpMethod.Post, $"/api/images/{id}/complete"),
            (HttpMethod.Delete, $"/api/images/{id}"),
        })
        {
            using var response = await stranger.Http.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Empty((await stranger.GetJsonAsync("/api/images")).GetProperty("items").EnumerateArray());
        using var all = await stranger.Http.GetAsync(new Uri("/api/images?all=true", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, all.StatusCode);
        Assert.Equal("complete", (await owner.GetJsonAsync($"/api/images/{id}/status")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Events_resume_after_the_last_event_id_without_repeats()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        string lastId;
        Guid first;
        using (var events = await user.OpenEventsAsync())
        {
            first = (await user.UploadOneAsync("one.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid();
            lastId = (await events.UntilFinalAsync([first], TimeSpan.FromSeconds(60)))[^1].Id;
        }

        // While nobody listens, another image is processed; the reconnecting browser gets exactly its events.
        var second = (await user.UploadOneAsync("two.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid();
        await user.WaitForFinalStatusAsync(second);
        using var resumed = await user.OpenEventsAsync(lastId);
        var replayed = await resumed.UntilFinalAsync([second], TimeSpan.FromSeconds(30));
        Assert.All(replayed, e => Assert.Equal(second, e.Data.GetProperty("imageId").GetGuid()));
        Assert.Equal("pending", replayed[0].Data.GetProperty("status").GetString());
        Assert.Equal(replayed.Count, replayed.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task Usage_on_the_account_page_comes_from_jobs()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var id = (await user.UploadOneAsync("count.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid();
        await user.WaitForFinalStatusAsync(id);

        var usage = await user.GetJsonAsync("/api/account/usage");
        Assert.True(usage.GetProperty("usageAvailable").GetBoolean());
        Assert.Equal(1, usage.GetProperty("images").GetInt64());
        Assert.Equal(1, usage.GetProperty("uploadsThisMonth").GetInt64());
        Assert.True(usage.GetProperty("bytesStored").GetInt64() > ImagesClient.SmallJpeg.Length);
        Assert.Equal(50, usage.GetProperty("monthlyQuota").GetInt32());
    }
}
