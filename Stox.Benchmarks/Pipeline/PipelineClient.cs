using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Stox.Benchmarks.Pipeline;

/// <summary>
/// One signed-in user talking to the gateway as a browser would: uploads, the live event stream, listing.
/// Every time is a <see cref="Stopwatch"/> timestamp taken in this process.
/// </summary>
internal sealed class PipelineClient : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<Guid, ImageTrack> _tracks = new();
    private CancellationTokenSource? _eventsStop;
    private Task? _events;
    private string _email = "";
    private const string Password = "benchmark-pipeline-1";

    public PipelineClient(Uri gateway)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
        {
            BaseAddress = gateway,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Registers a new user and opens its event stream.</summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        _email = $"bench-{Guid.NewGuid():N}@stox.test";
        using (var response = await _http.PostAsJsonAsync("/api/auth/register", new { email = _email, password = Password }, cancellationToken))
        {
            await UseSessionAsync(response, cancellationToken);
        }

        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _eventsStop = new CancellationTokenSource();
        _events = ReadEventsAsync(connected, _eventsStop.Token);
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>A new access token (they live 15 minutes); the open event stream is not affected.</summary>
    public async Task LoginAgainAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("/api/auth/login", new { email = _email, password = Password }, cancellationToken);
        await UseSessionAsync(response, cancellationToken);
    }

    /// <summary>One multipart request with <paramref name="count"/> copies of the file (enhance off).</summary>
    public async Task<UploadAnswer> UploadAsync(byte[] jpeg, int count, string namePrefix, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < count; i++)
        {
            var file = new ByteArrayContent(jpeg);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(file, "file", string.Create(CultureInfo.InvariantCulture, $"{namePrefix}-{i}.jpg"));
        }

        form.Add(new StringContent("false"), "enhance");
        var sent = Stopwatch.GetTimestamp();
        using var response = await _http.PostAsync("/api/images", form, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var accepted = Stopwatch.GetTimestamp();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return new UploadAnswer(sent, accepted, [], $"{(int)response.StatusCode} {Shorten(body)}");
        }

        using var json = JsonDocument.Parse(body);
        var images = json.RootElement.TryGetProperty("images", out var many)
            ? many.EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToList()
            : [json.RootElement.GetProperty("id").GetGuid()];
        return new UploadAnswer(sent, accepted, images, null);
    }

    public ImageTrack Track(Guid imageId) => _tracks.GetOrAdd(imageId, static _ => new ImageTrack());

    public async Task<JsonElement> GetImageAsync(Guid imageId, CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync<JsonElement>($"/api/images/{imageId}", cancellationToken);

    /// <summary>Every image of the user, through <c>GET /api/images?limit=100</c> and its cursors.</summary>
    public async Task<(List<(Guid Id, string Status)> Images, int Pages)> ListAllAsync(CancellationToken cancellationToken)
    {
        var images = new List<(Guid, string)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = cursor is null ? "/api/images?limit=100" : $"/api/images?limit=100&cursor={Uri.EscapeDataString(cursor)}";
            var page = await _http.GetFromJsonAsync<JsonElement>(url, cancellationToken);
            pages++;
            images.AddRange(page.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("id").GetGuid(), i.GetProperty("status").GetString()!)));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return (images, pages);
    }

    public async ValueTask DisposeAsync()
    {
        await StopEventsAsync();
        _http.Dispose();
    }

    private async Task UseSessionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var session = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("accessToken").GetString());
    }

    private async Task StopEventsAsync()
    {
        if (_events is null || _eventsStop is null)
        {
            return;
        }

        await _eventsStop.CancelAsync();
        await _events;
        _eventsStop.Dispose();
    }

    /// <summary>
    /// Reads <c>GET /api/images/events</c> until stopped. The stream writes its <c>retry:</c> line once it has
    /// subscribed, so uploads start only after that and no event can be missed.
    /// </summary>
    private async Task ReadEventsAsync(TaskCompletionSource connected, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/images/events");
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                var received = Stopwatch.GetTimestamp();
                if (line.StartsWith("retry:", StringComparison.Ordinal))
                {
                    connected.TrySetResult();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    var data = JsonSerializer.Deserialize<ImageEventData>(line.AsSpan(5).Trim(), Web)!;
                    Track(data.ImageId).Record(data, received);
                }
            }

            connected.TrySetException(new InvalidOperationException("The event stream ended."));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            connected.TrySetException(ex);
            Console.Error.WriteLine($"event stream failed: {ex.Message}");
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300];
}

internal sealed record UploadAnswer(long Sent, long Accepted, List<Guid> Images, string? Error);

internal sealed record ImageEventData(Guid ImageId, Guid? JobId, string Status, int Progress, string? Stage, string? Error, DateTimeOffset At);

/// <summary>What the event stream said about one image, with the time each event arrived here.</summary>
internal sealed class ImageTrack
{
    private readonly TaskCompletionSource<ImageEventData> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, long> _firstSeen = new(StringComparer.Ordinal);

    /// <summary>The <c>complete</c> or <c>failed</c> event.</summary>
    public Task<ImageEventData> Finished => _finished.Task;

    public long? FinishedAt { get; private set; }

    /// <summary>When the first event of a status or stage (e.g. <c>processing</c>, <c>downloaded</c>, <c>complete</c>) arrived.</summary>
    public long? SeenAt(string statusOrStage) => _firstSeen.TryGetValue(statusOrStage, out var at) ? at : null;

    public void Record(ImageEventData data, long received)
    {
        _firstSeen.TryAdd(data.Status, received);
        if (data.Stage is { } stage)
        {
            _firstSeen.TryAdd(stage, received);
        }

        if (data.Status is "complete" or "failed" && FinishedAt is null)
        {
            FinishedAt = received;
            _finished.TrySetResult(data);
        }
    }
}
