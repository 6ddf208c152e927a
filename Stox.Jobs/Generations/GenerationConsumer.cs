using RabbitMQ.Client;
using Stox.Messaging.Contracts;
using Stox.Messaging.RabbitMQ;

namespace Stox.Jobs.Generations;

/// <summary>
/// Takes accepted generations from <c>jobs.image-generations</c> and runs them. A few at once per replica: the
/// time goes in waiting for the provider, not in this process. Database or storage trouble, and a shutdown
/// in the middle, are retried with back-off; what the provider refuses is settled by <see cref="GenerationRunner"/> and never retried here.
/// </summary>
public sealed class GenerationConsumer(
    IConnection connection,
    MessagePublisher publisher,
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    ILogger<GenerationConsumer> logger) : MessageConsumer<ImageGenerationRequestedV1>(connection, publisher, logger)
{
    public static readonly QueueDefinition Definition = new(
        ImageTopology.Queues.JobsGenerations,
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)],
        DeliveryLimit: 5);

    protected override QueueDefinition Queue => Definition;

    protected override ushort Prefetch => 4;

    protected override ushort Concurrency => 4;

    protected override Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        Queue.DeclareAsync(channel, ImageTopology.Exchange, ExchangeType.Topic, [ImageTopology.RoutingKeys.GenerationRequested], cancellationToken);

    protected override async Task<MessageOutcome> HandleAsync(ImageGenerationRequestedV1 message, MessageContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        // Shutting down cancels the wait for the provider: the message goes back through its retry queue and
        // another replica makes what is not made yet.
        await scope.ServiceProvider.GetRequiredService<GenerationRunner>().RunAsync(message.GenerationId, lifetime.ApplicationStopping);
        return MessageOutcome.Completed;
    }
}
