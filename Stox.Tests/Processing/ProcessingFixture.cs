using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Messaging.Contracts;
using Stox.Messaging.RabbitMQ;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Processing;

/// <summary>
/// RabbitMQ, the S3 server and two processing replicas. The fixture plays the jobs service: it puts originals in
/// storage, publishes job requests, and records every image-job event from a queue of its own.
/// </summary>
public sealed partial class ProcessingFixture : AppModelFixture
{
    public const int Replicas = 2;
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<Guid, ConcurrentQueue<JobEvent>> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private IConnection? _connection;
    private IChannel? _eventsChannel;
    private MessagePublisher? _publisher;

    public IAmazonS3 S3 { get; private set; } = null!;

    /// <summary>Receives the replicas' traces, metrics and logs.</summary>
    public OtlpTestReceiver Telemetry { get; private set; } = null!;

    public string Bucket { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Telemetry = await OtlpTestReceiver.StartAsync();
        await base.InitializeAsync();
        var settings = S3Extensions.ParseConnectionString((await App.GetConnectionStringAsync("storage"))!, "storage", out var credentials);
        Bucket = settings.Bucket;
        S3 = S3Extensions.CreateClient(settings, credentials);
        _connection = await new ConnectionFactory { Uri = new Uri((await App.GetConnectionStringAsync("messaging"))!) }.CreateConnectionAsync();
        _publisher = new MessagePublisher(_connection);
        await ListenForEventsAsync();
        await WaitForConsumersAsync(Replicas);
    }

    public override async Task DisposeAsync()
    {
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync();
        }

        if (_eventsChannel is not null)
        {
            await _eventsChannel.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        S3?.Dispose();
        _arrived.Dispose();
        await base.DisposeAsync();
        await Telemetry.DisposeAsync();
    }

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        builder.KeepOnly("processing").ExportTelemetryTo(Telemetry);
        var processing = builder.Project("processing").WithReplicas(Replicas);
        for (var i = 0; i < 4; i++)
        {
            processing.WithEnvironment($"Processing__RetryDelays__{i}", RetryDelay.ToString());
        }

        processing.WithEnvironment("Processing__HeartbeatInterval", "00:00:00.500");
    }

    /// <summary>Puts an original in storage as jobs does, and returns the request that asks for it.</summary>
    public async Task<ImageJobRequestedV1> UploadOriginalAsync(byte[] bytes, string extension = "jpg", bool enhance = false, IReadOnlyList<string>? formats = null)
    {
        var (userId, imageId) = (Guid.NewGuid(), Guid.NewGuid());
        var key = StorageKeys.Original(userId, imageId, extension);
        using var body = new MemoryStream(bytes);
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = body, ContentType = "application/octet-stream" });
        return new ImageJobRequestedV1(Guid.NewGuid(), imageId, userId, key, $"upload.{extension}", enhance, formats ?? ImageFormats.Default, DateTimeOffset.UtcNow);
    }

    public Task RequestAsync(ImageJobRequestedV1 job) =>
        _publisher!.PublishAsync(ImageTopology.Exchange, ImageTopology.RoutingKeys.JobRequested, job, $"{job.JobId:N}.requested", job.JobId.ToString());

    public IReadOnlyList<JobEvent> EventsOf(Guid jobId) => _events.TryGetValue(jobId, out var events) ? [.. events] : [];

    /// <summary>Waits until the job's events satisfy <paramref name="done"/>.</summary>
    public async Task<IReadOnlyList<JobEvent>> WaitForAsync(Guid jobId, Func<IReadOnlyList<JobEvent>, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var events = EventsOf(jobId);
            if (done(events))
            {
                return events;
            }

            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Job {jobId} did not get there within {timeout.TotalSeconds:0} s. Events: {string.Join(", ", events.Select(e => e.Describe()))}");
            }

            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits for the job's completed or failed event.</summary>
    public Task<IReadOnlyList<JobEvent>> WaitForOutcomeAsync(Guid jobId, TimeSpan? timeout = null) =>
        WaitForAsync(jobId, events => events.Any(e => e.IsOutcome), timeout ?? TimeSpan.FromSeconds(30));

    /// <summary>Waits until every replica consumes the job queue (declared, bound, started).</summary>
    public async Task WaitForConsumersAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                await using var channel = await _connection!.CreateChannelAsync(cancellationToken: timeout.Token);
                var queue = await channel.QueueDeclarePassiveAsync(ImageTopology.Queues.ProcessingJobs, timeout.Token);
                if (queue.ConsumerCount == count)
                {
                    return;
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // Not declared yet.
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    public async Task<uint> MessageCountAsync(string queue)
    {
        await using var channel = await _connection!.CreateChannelAsync();
        return await channel.MessageCountAsync(queue);
    }

    /// <summary>The keys stored under an image's variant prefix.</summary>
    public async Task<IReadOnlyList<string>> ListVariantKeysAsync(ImageJobRequestedV1 job)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = StorageKeys.VariantPrefix(job.UserId, job.ImageId) };
        ListObjectsV2Response response;
        do
        {
            response = await S3.ListObjectsV2Async(request);
            keys.AddRange(response.S3Objects?.Select(o => o.Key) ?? []);
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
        return keys;
    }

    public async Task<(byte[] Data, string ContentType)> GetObjectAsync(string key)
    {
        using var response = await S3.GetObjectAsync(Bucket, key);
        using var data = new MemoryStream();
        await response.ResponseStream.CopyToAsync(data);
        return (data.ToArray(), response.Headers.ContentType);
    }

    /// <summary>
    /// The replica's instance name from a worker name, <c>{machine}/{service.instance.id}</c>: Aspire's instance id is
    /// the suffix DCP gives the replica (<c>host/abcdefgh</c> is the instance <c>processing-abcdefgh</c>).
    /// </summary>
    public static string ReplicaOf(string worker) => $"processing-{worker[(worker.LastIndexOf('/') + 1)..]}";

    private async Task ListenForEventsAsync()
    {
        _eventsChannel = await _connection!.CreateChannelAsync();
        await _eventsChannel.ExchangeDeclareAsync(ImageTopology.Exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = await _eventsChannel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
        foreach (var key in new[] { ImageTopology.RoutingKeys.JobProgress, ImageTopology.RoutingKeys.JobCompleted, ImageTopology.RoutingKeys.JobFailed })
        {
            await _eventsChannel.QueueBindAsync(queue.QueueName, ImageTopology.Exchange, key);
        }

        var consumer = new AsyncEventingBasicConsumer(_eventsChannel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var e = JobEvent.Read(delivery);
            _events.GetOrAdd(e.JobId, _ => new()).Enqueue(e);
            _arrived.Release();
            return Task.CompletedTask;
        };
        await _eventsChannel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
    }

    /// <summary>One event as received: its routing key, the trace it carries, and the message.</summary>
    public sealed record JobEvent(string RoutingKey, string? TraceParent, ImageJobProgressV1? Progress, ImageJobCompletedV1? Completed, ImageJobFailedV1? Failed)
    {
        public Guid JobId => Progress?.JobId ?? Completed?.JobId ?? Failed!.JobId;

        public bool IsOutcome => Completed is not null || Failed is not null;

        public string Worker => Progress?.Worker ?? Completed?.Worker ?? Failed!.Worker;

        public ActivityTraceId? TraceId => TraceParent is { Length: 55 } tp ? ActivityTraceId.CreateFromString(tp.AsSpan(3, 32)) : null;

        public string Describe() =>
            Progress is { } p ? $"{p.Stage}#{p.Attempt}@{ReplicaOf(p.Worker)}" : Completed is not null ? "completed" : $"failed({Failed!.Error})";

        public static JobEvent Read(BasicDeliverEventArgs delivery)
        {
            var body = delivery.Body.Span;
            var traceParent = delivery.BasicProperties.Headers?.TryGetValue("traceparent", out var value) == true && value is byte[] bytes
                ? Encoding.UTF8.GetString(bytes)
                : null;
            var type = delivery.BasicProperties.Type;
            return type == MessageTypeAttribute.Of<ImageJobProgressV1>()
                ? new(delivery.RoutingKey, traceParent, JsonSerializer.Deserialize<ImageJobProgressV1>(body, Json), null, null)
                : type == MessageTypeAttribute.Of<ImageJobCompletedV1>()
                    ? new(delivery.RoutingKey, traceParent, null, JsonSerializer.Deserialize<ImageJobCompletedV1>(body, Json), null)
                    : new(delivery.RoutingKey, traceParent, null, null, JsonSerializer.Deserialize<ImageJobFailedV1>(body, Json));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ProcessingCollection : ICollectionFixture<ProcessingFixture>
{
    public const string Name = "processing";
}
