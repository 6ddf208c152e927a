using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Messaging.Contracts;
using Stox.Messaging.RabbitMQ;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Messaging;

public sealed class BrokerFixture : AppModelFixture
{
    protected override void Configure(IDistributedApplicationTestingBuilder builder) => builder.KeepOnly("messaging");

    public async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = new Uri((await App.GetConnectionStringAsync("messaging"))!) }.CreateConnectionAsync();
}

/// <summary>Publishing with confirms and consuming with acks, retries and dead-lettering, against a real RabbitMQ.</summary>
public sealed class MessagingTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_confirmed_message_is_handled_once_and_acknowledged()
    {
        var queue = NewQueue();
        await using var connection = await broker.ConnectAsync();
        await using var publisher = new MessagePublisher(connection);
        await using var consumer = new RecordingConsumer(connection, publisher, queue, _ => Task.FromResult(MessageOutcome.Completed));
        await consumer.StartAsync(CancellationToken.None);
        await consumer.Declared.Task;

        await publisher.PublishAsync(string.Empty, queue.Name, Request(), "m-1");
        var handled = await consumer.Next();

        Assert.Equal("m-1", handled.Context.MessageId);
        Assert.Equal(1, handled.Context.Attempt);
        await consumer.StopAsync(CancellationToken.None);
        Assert.Equal(0u, await MessageCountAsync(connection, queue.Name));
    }

    [Fact]
    public async Task A_transient_failure_is_retried_after_the_back_off_then_dead_lettered()
    {
        var queue = NewQueue(retries: 2);
        await using var connection = await broker.ConnectAsync();
        await using var publisher = new MessagePublisher(connection);
        await using var consumer = new RecordingConsumer(connection, publisher, queue, _ => Task.FromException<MessageOutcome>(new IOException("storage is down")));
        await consumer.StartAsync(CancellationToken.None);
        await consumer.Declared.Task;

        await publisher.PublishAsync(string.Empty, queue.Name, Request(), "m-2");
        var attempts = new[] { await consumer.Next(), await consumer.Next(), await consumer.Next() };

        Assert.Equal([1, 2, 3], attempts.Select(a => a.Context.Attempt));
        Assert.Equal([2, 1, 0], attempts.Select(a => a.Context.RetriesLeft));
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(900), "the first retry waits its back-off");
        await WaitForCountAsync(connection, queue.DeadLetterQueue, 1);
    }

    [Fact]
    public async Task A_permanent_failure_and_an_unreadable_message_go_straight_to_the_dead_letter_queue()
    {
        var queue = NewQueue(retries: 3);
        await using var connection = await broker.ConnectAsync();
        await using var publisher = new MessagePublisher(connection);
        await using var consumer = new RecordingConsumer(connection, publisher, queue, _ => Task.FromResult(MessageOutcome.DeadLetter));
        await consumer.StartAsync(CancellationToken.None);
        await consumer.Declared.Task;

        await publisher.PublishAsync(string.Empty, queue.Name, Request(), "m-3");
        await consumer.Next();
        await publisher.PublishAsync(string.Empty, queue.Name, new ImageJobFailedV1(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "x", true, 1, "w", DateTimeOffset.UtcNow), "m-4");

        await WaitForCountAsync(connection, queue.DeadLetterQueue, 2);
        Assert.Single(consumer.Handled);
    }

    [Fact]
    public async Task Publishing_to_nowhere_fails_instead_of_losing_the_message()
    {
        await using var connection = await broker.ConnectAsync();
        await using var publisher = new MessagePublisher(connection);

        await Assert.ThrowsAnyAsync<RabbitMQClientException>(() =>
            publisher.PublishAsync(string.Empty, $"no-such-queue-{Guid.NewGuid():N}", Request(), "m-6"));
        // The publisher recovers for the next message.
        var queue = NewQueue();
        await using var channel = await connection.CreateChannelAsync();
        await queue.DeclareAsync(channel);
        await publisher.PublishAsync(string.Empty, queue.Name, Request(), "m-7");
        Assert.Equal(1u, await MessageCountAsync(connection, queue.Name));
    }

    private static QueueDefinition NewQueue(int retries = 1) =>
        new($"test.{Guid.NewGuid():N}", Enumerable.Repeat(TimeSpan.FromSeconds(1), retries).ToList());

    private static ImageJobRequestedV1 Request() =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "originals/u/i.jpg", "i.jpg", false, ["jpeg", "webp"], DateTimeOffset.UtcNow);

    private static async Task<uint> MessageCountAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        return await channel.MessageCountAsync(queue);
    }

    private static async Task WaitForCountAsync(IConnection connection, string queue, uint expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await MessageCountAsync(connection, queue) != expected)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private sealed class RecordingConsumer(IConnection connection, MessagePublisher publisher, QueueDefinition queue, Func<ImageJobRequestedV1, Task<MessageOutcome>> handle)
        : MessageConsumer<ImageJobRequestedV1>(connection, publisher, NullLogger.Instance), IAsyncDisposable
    {
        private readonly BlockingCollection<(MessageContext Context, DateTimeOffset At)> _handled = [];
        private readonly ConcurrentQueue<MessageContext> _all = new();

        public TaskCompletionSource Declared { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyCollection<MessageContext> Handled => _all;

        protected override QueueDefinition Queue => queue;

        public Task<(MessageContext Context, DateTimeOffset At)> Next() =>
            Task.Run(() => _handled.TryTake(out var item, TimeSpan.FromSeconds(20)) ? item : throw new TimeoutException("No message was handled."));

        protected override async Task DeclareAsync(IChannel channel, CancellationToken cancellationToken)
        {
            await base.DeclareAsync(channel, cancellationToken);
            Declared.TrySetResult();
        }

        protected override Task<MessageOutcome> HandleAsync(ImageJobRequestedV1 message, MessageContext context, CancellationToken cancellationToken)
        {
            _all.Enqueue(context);
            _handled.Add((context, DateTimeOffset.UtcNow), CancellationToken.None);
            return handle(message);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync(CancellationToken.None);
            Dispose();
            _handled.Dispose();
        }
    }
}
