using System.Text.Json;
using StackExchange.Redis;

namespace Stox.Jobs.Live;

/// <summary>
/// Fans image events out through Redis so that whichever jobs replica holds a browser's event stream can push
/// them: each event is appended to the user's capped stream (what <c>Last-Event-ID</c> resumes from) and
/// published on the user's channel, atomically, and the stream entry's id is the event id.
/// Best effort: the database is the truth, so a Redis outage loses live updates, never state.
/// </summary>
public sealed partial class ImageEventBroadcaster(IConnectionMultiplexer redis, ILogger<ImageEventBroadcaster> logger)
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Events kept per user for resumption, and for how long.</summary>
    private const int StreamLength = 1000;
    private const int StreamSeconds = 24 * 60 * 60;

    private const string Script = """
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'data', ARGV[2])
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        redis.call('PUBLISH', KEYS[2], id .. '\n' .. ARGV[2])
        return id
        """;

    public static string StreamKey(Guid userId) => $"stox:images:events:{userId:N}";

    public static string Channel(Guid userId) => $"stox:images:live:{userId:N}";

    public async Task PublishAsync(Guid userId, ImageEvent imageEvent, CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var json = JsonSerializer.Serialize(imageEvent, JsonOptions);
            await redis.GetDatabase().ScriptEvaluateAsync(Script, [StreamKey(userId), Channel(userId)], [StreamLength, json, StreamSeconds]).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogBroadcastFailed(logger, ex, imageEvent.ImageId, imageEvent.Status);
        }
    }

    [LoggerMessage(EventId = 300, EventName = "BroadcastFailed", Level = LogLevel.Warning, Message = "Could not broadcast the {Status} event of image {ImageId}; live views will catch up from the database.")]
    private static partial void LogBroadcastFailed(ILogger logger, Exception exception, Guid imageId, string status);
}
