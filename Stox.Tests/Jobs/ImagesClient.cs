using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Tests.Imaging;

namespace Stox.Tests.Jobs;

/// <summary>A user of the images API through the gateway: registers on creation, uploads, reads, waits for events.</summary>
internal sealed class ImagesClient : IDisposable
{
    private static readonly Lazy<byte[]> SmallPhoto = new(() => Photo(640, 480));

    /// <summary>The password every user registered here has.</summary>
    public const string Password = "a-long-enough-passphrase-1";

    private ImagesClient(HttpClient http, string email, string accessToken, Guid userId)
    {
        Http = http;
        Email = email;
        AccessToken = accessToken;
        UserId = userId;
    }

    public HttpClient Http { get; }

    public string Email { get; }

    public string AccessToken { get; }

    public Guid UserId { get; }

    public static async Task<ImagesClient> RegisterAsync(DistributedApplication app)
    {
        var http = app.CreateHttpClient("gateway");
        http.Timeout = TimeSpan.FromMinutes(2);
        var email = $"images-{Guid.NewGuid():N}@stox.test";
        using var response = await http.PostAsJsonAsync("/api/auth/register", new { email, password = Password });
        response.EnsureSuccessStatusCode();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var token = body.GetProperty("accessToken").GetString()!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new ImagesClient(http, email, token, body.GetProperty("user").GetProperty("id").GetGuid());
    }

    /// <summary>A photo-like JPEG made through libvips.</summary>
    public static byte[] Photo(int width, int height)
    {
        using var image = TestImages.Photo(width, height);
        return TestImages.Jpeg(image);
    }

    public static byte[] SmallJpeg => SmallPhoto.Value;

    public static MultipartFormDataContent Form(params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "file", name);
        }

        return form;
    }

    public async Task<HttpResponseMessage> UploadAsync(MultipartFormDataContent form, string? idempotencyKey = null, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images" + query) { Content = form };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>Uploads one file and returns the 202 body.</summary>
    public async Task<JsonElement> UploadOneAsync(string name, byte[] bytes, string query = "")
    {
        using var response = await UploadAsync(Form((name, bytes)), query: query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Polls the status endpoint until the image is complete or failed (for tests that are not about events).</summary>
    public async Task<JsonElement> WaitForFinalStatusAsync(Guid imageId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var status = await GetJsonAsync($"/api/images/{imageId}/status");
            if (status.GetProperty("status").GetString() is "complete" or "failed")
            {
                return status;
            }

            await Task.Delay(200, cts.Token);
        }
    }

    /// <summary>Opens the event stream; read events with <see cref="EventStream.NextAsync"/>.</summary>
    public async Task<EventStream> OpenEventsAsync(string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/images/events");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(request, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    public void Dispose() => Http.Dispose();

    internal sealed class EventStream(HttpRequestMessage request, HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        /// <summary>The next <c>image</c> event: its id and data.</summary>
        public async Task<(string Id, JsonElement Data)> NextAsync(CancellationToken cancellationToken)
        {
            string? id = null, data = null;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
                else if (line.Length == 0 && data is not null)
                {
                    return (id!, JsonDocument.Parse(data).RootElement);
                }
            }

            throw new EndOfStreamException("The event stream ended.");
        }

        /// <summary>Reads events until <paramref name="imageIds"/> have all reached complete or failed; returns every event seen.</summary>
        public async Task<List<(string Id, JsonElement Data)>> UntilFinalAsync(IEnumerable<Guid> imageIds, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            var waiting = imageIds.ToHashSet();
            var seen = new List<(string, JsonElement)>();
            while (waiting.Count > 0)
            {
                var next = await NextAsync(cts.Token);
                seen.Add(next);
                if (next.Data.GetProperty("status").GetString() is "complete" or "failed")
                {
                    waiting.Remove(next.Data.GetProperty("imageId").GetGuid());
                }
            }

            return seen;
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            request.Dispose();
        }
    }
}
