using RabbitMQ.Client;
using Stox.Messaging.Contracts;
using Stox.Messaging.RabbitMQ;

namespace Stox.Jobs.Images;

/// <summary>Consumes one kind of event processing publishes and hands it to <see cref="JobEventHandler"/>.</summary>
public sealed class JobEventConsumer<TEvent>(
    IConnection connection,
    MessagePublisher publisher,
    IServiceScopeFactory scopes,
    ILogger<JobEventConsumer<TEvent>> logger,
    QueueDefinition queue,
    string routingKey,
    Func<JobEventHandler, TEvent, CancellationToken, Task> apply) : MessageConsumer<TEvent>(connection, publisher, logger)
{
    protected override QueueDefinition Queue => queue;

    protected override ushort Prefetch => 32;

    protected override Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        queue.DeclareAsync(channel, ImageTopology.Exchange, ExchangeType.Topic, [routingKey], cancellationToken);

    protected override async Task<MessageOutcome> HandleAsync(TEvent message, MessageContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await apply(scope.ServiceProvider.GetRequiredService<JobEventHandler>(), message, cancellationToken);
        return MessageOutcome.Completed;
    }
}

/// <summary>The jobs service's event queues: database trouble is retried with back-off before a message is dead-lettered.</summary>
public static class JobEventQueues
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    public static readonly QueueDefinition Progress = new(ImageTopology.Queues.JobsProgress, Backoff);

    public static readonly QueueDefinition Completed = new(ImageTopology.Queues.JobsCompleted, Backoff);

    public static readonly QueueDefinition Failed = new(ImageTopology.Queues.JobsFailed, Backoff);

    public static IServiceCollection AddJobEventConsumers(this IServiceCollection services)
    {
        services.AddScoped<JobEventHandler>();
        services.AddConsumer<ImageJobProgressV1>(Progress, ImageTopology.RoutingKeys.JobProgress, (h, e, ct) => h.ApplyAsync(e, ct));
        services.AddConsumer<ImageJobCompletedV1>(Completed, ImageTopology.RoutingKeys.JobCompleted, (h, e, ct) => h.ApplyAsync(e, ct));
        services.AddConsumer<ImageJobFailedV1>(Failed, ImageTopology.RoutingKeys.JobFailed, (h, e, ct) => h.ApplyAsync(e, ct));
        return services;
    }

    private static void AddConsumer<TEvent>(this IServiceCollection services, QueueDefinition queue, string routingKey, Func<JobEventHandler, TEvent, CancellationToken, Task> apply) =>
        services.AddHostedService(sp => new JobEventConsumer<TEvent>(
            sp.GetRequiredService<IConnection>(),
            sp.GetRequiredService<MessagePublisher>(),
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<ILogger<JobEventConsumer<TEvent>>>(),
            queue,
            routingKey,
            apply));
}
