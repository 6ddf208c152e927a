using RabbitMQ.Client;

namespace Stox.Messaging.RabbitMQ;

/// <summary>
/// A work queue and what goes with it, declared idempotently by whoever uses it: a durable quorum queue
/// with a delivery limit (a message that keeps crashing its consumer is dead-lettered), one delay queue per
/// retry back-off that routes back to it, and a dead-letter queue where failed messages wait for a person.
/// </summary>
public sealed record QueueDefinition(string Name, IReadOnlyList<TimeSpan> RetryDelays, int DeliveryLimit = 10)
{
    public string DeadLetterQueue => $"{Name}.dead";

    public string RetryQueue(int attempt) => $"{Name}.retry.{(int)RetryDelays[attempt - 1].TotalSeconds}s";

    /// <summary>Binds the queue to an exchange of the given type with the routing keys it wants.</summary>
    public async Task DeclareAsync(IChannel channel, string? exchange = null, string exchangeType = ExchangeType.Direct, IEnumerable<string>? routingKeys = null, CancellationToken cancellationToken = default)
    {
        await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(Name, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-delivery-limit"] = DeliveryLimit,
                ["x-dead-letter-exchange"] = string.Empty,
                ["x-dead-letter-routing-key"] = DeadLetterQueue,
            },
            cancellationToken: cancellationToken);

        for (var attempt = 1; attempt <= RetryDelays.Count; attempt++)
        {
            // A delay queue holds a message for its TTL, then dead-letters it back to the work queue.
            await channel.QueueDeclareAsync(RetryQueue(attempt), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = (int)RetryDelays[attempt - 1].TotalMilliseconds,
                    ["x-dead-letter-exchange"] = string.Empty,
                    ["x-dead-letter-routing-key"] = Name,
                },
                cancellationToken: cancellationToken);
        }

        if (exchange is not null)
        {
            await channel.ExchangeDeclareAsync(exchange, exchangeType, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            foreach (var routingKey in routingKeys ?? [Name])
            {
                await channel.QueueBindAsync(Name, exchange, routingKey, cancellationToken: cancellationToken);
            }
        }
    }
}
