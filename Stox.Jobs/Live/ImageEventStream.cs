using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using Stox.Jobs.Infrastructure;
using StackExchange.Redis;

namespace Stox.Jobs.Live;

/// <summary>
/// <c>GET /api/images/events</c>: the user's image events as server-sent events. It subscribes to the user's
/// Redis channel first, then replays what the stream holds after <c>Last-Event-ID</c>, then goes live, skipping
/// anything already sent, so a reconnecting browser misses nothing and sees nothing twice.
/// </summary>
public static partial class ImageEventStream
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(HttpContext context, IConnectionMultiplexer redis, ILoggerFactory loggers)
    {
        var user = CurrentUser.From(context.User);
        if (user is null)
        {
            await Problems.Unauthenticated().ExecuteAsync(context);
            return;
        }

        var cancellationToken = context.RequestAborted;
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : context.Request.Query["lastEventId"].ToString();
        var lastSent = EventId.TryParse(lastEventId, out var resumeFrom) ? resumeFrom : (EventId?)null;

        var live = Channel.CreateBounded<(EventId Id, string Json)>(new BoundedChannelOptions(512) { FullMode = BoundedChannelFullMode.DropOldest });
        ChannelMessageQueue subscription;
        try
        {
            // Its own queue on the shared subscriber connection: messages arrive in order, and StackExchange.Redis
            // subscribes again by itself after a reconnect.
            subscription = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(ImageEventBroadcaster.Channel(user.Id)));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            LogLiveUnavailable(loggers.CreateLogger(typeof(ImageEventStream)), ex);
            await Problems.LiveUpdatesUnavailable().ExecuteAsync(context);
            return;
        }

        subscription.OnMessage(message =>
        {
            var text = (string?)message.Message ?? string.Empty;
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline > 0 && EventId.TryParse(text[..newline], out var id))
            {
                live.Writer.TryWrite((id, text[(newline + 1)..]));
            }
        });

        try
        {
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache, no-transform";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            await context.Response.WriteAsync("retry: 3000\n\n", cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);

            try
            {
                if (lastSent is { } from)
                {
                    lastSent = await ReplayAsync(context.Response, redis, user.Id, from, cancellationToken);
                }

                while (!cancellationToken.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    wait.CancelAfter(KeepAliveInterval);
                    (EventId Id, string Json) next;
                    try
                    {
                        next = await live.Reader.ReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // A comment line keeps proxies from closing an idle stream.
                        await context.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                        await context.Response.Body.FlushAsync(cancellationToken);
                        continue;
                    }

                    if (lastSent is { } sent && next.Id.CompareTo(sent) <= 0)
                    {
                        continue;
                    }

                    await WriteEventAsync(context.Response, next.Id, next.Json, cancellationToken);
                    lastSent = next.Id;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The browser went away.
            }
        }
        finally
        {
            await UnsubscribeAsync(subscription);
        }
    }

    /// <summary>Drops this stream's queue; the channel itself is left on the server only when it was the last one here.</summary>
    private static async Task UnsubscribeAsync(ChannelMessageQueue subscription)
    {
        try
        {
            await subscription.UnsubscribeAsync(CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // Redis is away: the queue is already gone here, and the server forgets the subscription with the connection.
        }
    }

    private static async Task<EventId?> ReplayAsync(HttpResponse response, IConnectionMultiplexer redis, Guid userId, EventId from, CancellationToken cancellationToken)
    {
        EventId? last = from;
        // "(" makes the start exclusive: the entries after the last one the browser saw.
        var entries = await redis.GetDatabase().StreamRangeAsync(ImageEventBroadcaster.StreamKey(userId), minId: "(" + from, maxId: "+", count: 1000).WaitAsync(cancellationToken);
        foreach (var entry in entries)
        {
            if (!EventId.TryParse(entry.Id, out var id))
            {
                continue;
            }

            foreach (var field in entry.Values)
            {
                if (field.Name == "data" && (string?)field.Value is { } json)
                {
                    await WriteEventAsync(response, id, json, cancellationToken);
                    last = id;
                }
            }
        }

        return last;
    }

    private static async Task WriteEventAsync(HttpResponse response, EventId id, string json, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"id: {id}\nevent: image\ndata: {json}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 301, EventName = "LiveUpdatesUnavailable", Level = LogLevel.Warning, Message = "Live updates are unavailable: Redis cannot be subscribed to.")]
    private static partial void LogLiveUnavailable(ILogger logger, Exception exception);

    /// <summary>A Redis stream entry id, <c>{milliseconds}-{sequence}</c>, ordered.</summary>
    private readonly record struct EventId(long Milliseconds, long Sequence) : IComparable<EventId>
    {
        public static bool TryParse(string? value, out EventId id)
        {
            id = default;
            var dash = value?.IndexOf('-', StringComparison.Ordinal) ?? -1;
            if (dash <= 0
                || !long.TryParse(value.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                || !long.TryParse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                return false;
            }

            id = new EventId(ms, seq);
            return true;
        }

        public int CompareTo(EventId other) => Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
    }
}
