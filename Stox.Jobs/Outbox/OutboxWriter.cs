using System.Diagnostics;
using System.Text.Json;
using Stox.Jobs.Data;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Outbox;

/// <summary>Adds messages to the outbox inside the caller's unit of work: they are sent only if it commits.</summary>
public static class OutboxWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static OutboxMessage Add<T>(JobsDbContext db, string routingKey, T message, DateTimeOffset now)
        where T : notnull
    {
        var row = new OutboxMessage
        {
            Id = Guid.CreateVersion7(now),
            Type = MessageTypeAttribute.Of<T>(),
            RoutingKey = routingKey,
            Payload = JsonSerializer.Serialize(message, JsonOptions),
            TraceParent = Activity.Current?.Id,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.Outbox.Add(row);
        return row;
    }
}
