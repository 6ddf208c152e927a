using System.Text.Json;
using RabbitMQ.Client;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Messaging.Contracts;
using Stox.Messaging.RabbitMQ;
using Stox.Tests.Generations;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Jobs;

/// <summary>
/// The whole system with a fast stuck-job monitor, for tests that stop, kill and restart its parts, and image
/// generation through a local Stability AI stand-in (the system fixture has the OpenAI-compatible one).
/// </summary>
public sealed class JobsReliabilityFixture : AppModelFixture
{
    /// <summary>How long a generation may go without progress before the maintenance sweep gives it up.</summary>
    public static readonly TimeSpan StuckGenerationTimeout = TimeSpan.FromSeconds(8);

    public ProviderStandIn Provider { get; private set; } = null!;

    protected override string[] Arguments =>
    [
        "--Parameters:generation-provider=stability",
        $"--Parameters:generation-endpoint={Provider.StabilityBaseUrl}",
        $"--Parameters:generation-api-key={ProviderStandIn.DefaultApiKey}",
    ];

    public override async Task InitializeAsync()
    {
        Provider = await ProviderStandIn.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
    }

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        builder.Project("jobs")
            .WithEnvironment("Jobs__StuckJobTimeout", "00:00:05")
            .WithEnvironment("Jobs__MaintenanceInterval", "00:00:01")
            .WithEnvironment("Jobs__StuckGenerationTimeout", StuckGenerationTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Generation__RetryDelay", "00:00:00.200");
        builder.Project("auth").WithEnvironment("Auth__RateLimits__RegistrationsPerIp", "100000");
        builder.KeepOnly("postgres", "cache", "messaging", "storage", "auth", "jobs", "processing", "gateway");
    }
}

[CollectionDefinition(Name)]
public sealed class JobsReliabilityCollection : ICollectionFixture<JobsReliabilityFixture>
{
    public const string Name = "jobs-reliability";
}

/// <summary>Each test breaks a real part of the pipeline and checks that no upload is lost or stuck.</summary>
[Collection(JobsReliabilityCollection.Name)]
public sealed class JobsReliabilityTests(JobsReliabilityFixture fixture)
{
    private DistributedApplication App => fixture.App;

    [Fact]
    public async Task A_job_committed_while_the_broker_is_down_runs_once_it_is_back_even_if_jobs_restarted_meanwhile()
    {
        using var user = await ImagesClient.RegisterAsync(App);
        Guid id;
        await App.StopResourceAsync("messaging");
        try
        {
            // Committed with its outbox row, but nothing can be published.
            id = (await user.UploadOneAsync("patient.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid();
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal("pending", (await user.GetJsonAsync($"/api/images/{id}/status")).GetProperty("status").GetString());

            // The replica that wrote the row goes away before it could send it.
            await App.StopResourceAsync("jobs");
        }
        finally
        {
            await App.StartResourceAsync("messaging");
        }

        await App.StartResourceAsync("jobs");
        await App.ResourceNotifications.WaitForResourceHealthyAsync("gateway");
        Assert.Equal("complete", (await WaitForFinalStatusAsync(user, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_postgres_restart_under_load_loses_nothing()
    {
        using var user = await ImagesClient.RegisterAsync(App);
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await user.UploadOneAsync($"load-{i}.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid());
        }

        await App.RestartResourceAsync("postgres");
        for (var i = 6; i < 10; i++)
        {
            // The first requests after the restart may meet a connection the pool still thinks is open: retried by EF.
            ids.Add((await user.UploadOneAsync($"load-{i}.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid());
        }

        foreach (var id in ids)
        {
            Assert.Equal("complete", (await WaitForFinalStatusAsync(user, id)).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_job_whose_worker_went_silent_is_sent_again_and_completes()
    {
        using var user = await ImagesClient.RegisterAsync(App);
        await App.StopResourceAsync("processing");
        Guid id;
        try
        {
            id = (await user.UploadOneAsync("silent.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid();
            var detail = await user.GetJsonAsync($"/api/images/{id}");
            var jobId = detail.GetProperty("job").GetProperty("id").GetGuid();

            // A worker takes the job, says so, and is never heard of again.
            await PublishStartedAsync(new ImageJobProgressV1(jobId, id, user.UserId, ImageJobStages.Started, 0, 1, "vanished-worker", DateTimeOffset.UtcNow));
            await WaitForAsync(user, id, s => s.GetProperty("status").GetString() == "processing");
            var job = await WaitForJobAsync(user, id, j => j.GetProperty("status").GetString() == "pending");
            Assert.Equal("vanished-worker", job.GetProperty("worker").GetString());
        }
        finally
        {
            await App.StartResourceAsync("processing");
        }

        Assert.Equal("complete", (await WaitForFinalStatusAsync(user, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Killing_a_processing_replica_mid_batch_still_completes_every_image()
    {
        using var user = await ImagesClient.RegisterAsync(App);
        var photo = ImagesClient.Photo(2000, 1500);
        using var events = await user.OpenEventsAsync();
        using var response = await user.UploadAsync(ImagesClient.Form([.. Enumerable.Range(0, 8).Select(i => ($"batch-{i}.jpg", photo))]));
        var ids = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("images")
            .EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();

        // Wait until the batch is being worked on, then crash one worker with no chance to clean up.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while ((await events.NextAsync(timeout.Token)).Data.GetProperty("status").GetString() != "processing")
            {
            }
        }

        await App.KillResourceAsync(App.Instances("processing")[0]);

        foreach (var id in ids)
        {
            Assert.Equal("complete", (await WaitForFinalStatusAsync(user, id)).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_redis_restart_under_concurrent_use_fails_no_request_and_rate_limits_and_live_events_come_back()
    {
        using var user = await ImagesClient.RegisterAsync(App);
        using var events = await user.OpenEventsAsync();

        // Readers through the gateway (rate limited in Redis) keep going while Redis is killed and started again.
        using var stopReaders = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<System.Net.HttpStatusCode>();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stopReaders.IsCancellationRequested)
            {
                using var response = await user.Http.GetAsync(new Uri("/api/images?limit=1", UriKind.Relative));
                statuses.Add(response.StatusCode);
                await Task.Delay(20);
            }
        })).ToArray();
        await Task.Delay(500);
        await App.KillResourceAsync("cache");
        await Task.Delay(500);
        await App.StartResourceAsync("cache");
        await Task.Delay(500);
        await stopReaders.CancelAsync();
        await Task.WhenAll(readers);
        Assert.NotEmpty(statuses);
        Assert.All(statuses, status => Assert.Equal(System.Net.HttpStatusCode.OK, status));

        // The gateway counts again (its limiter answers with headers once it reaches Redis).
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var response = await user.Http.GetAsync(new Uri("/api/images?limit=1", UriKind.Relative), deadline.Token);
            if (response.Headers.Contains("RateLimit-Remaining"))
            {
                break;
            }

            await Task.Delay(100, deadline.Token);
        }

        // Jobs subscribes the open stream again by itself; then the stream opened before the restart hears an upload.
        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync((await App.GetConnectionStringAsync("cache"))!))
        {
            async Task<long> SubscribersAsync() =>
                (long)((StackExchange.Redis.RedisResult[])(await redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", $"stox:images:live:{user.UserId:N}"))!)[1];
            while (await SubscribersAsync() == 0)
            {
                await Task.Delay(100, deadline.Token);
            }
        }

        var id = (await user.UploadOneAsync("after-redis-restart.jpg", ImagesClient.SmallJpeg)).GetProperty("id").GetGuid();
        var seen = await events.UntilFinalAsync([id], TimeSpan.FromSeconds(90));
        Assert.Equal("complete", seen[^1].Data.GetProperty("status").GetString());
    }

    /// <summary>Waits for the image to finish; on a timeout the failure carries what the services last logged.</summary>
    private async Task<JsonElement> WaitForFinalStatusAsync(ImagesClient user, Guid id)
    {
        try
        {
            return await user.WaitForFinalStatusAsync(id, TimeSpan.FromMinutes(2));
        }
        catch (OperationCanceledException)
        {
            var tails = new List<string>();
            foreach (var instance in new[] { "jobs", "processing", "messaging" }.SelectMany(App.Instances))
            {
                tails.Add($"--- {instance} ---{Environment.NewLine}{await App.TailAsync(instance, 40)}");
            }

            var logs = string.Join(Environment.NewLine, tails);
            throw new TimeoutException($"Image {id} did not finish; status {(await user.GetJsonAsync($"/api/images/{id}")).GetRawText()}{Environment.NewLine}{logs}");
        }
    }

    private async Task PublishStartedAsync(ImageJobProgressV1 progress)
    {
        var factory = new ConnectionFactory { Uri = new Uri((await App.GetConnectionStringAsync("messaging"))!) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var publisher = new MessagePublisher(connection);
        await publisher.PublishAsync(ImageTopology.Exchange, ImageTopology.RoutingKeys.JobProgress, progress, Guid.NewGuid().ToString());
    }

    private static async Task WaitForAsync(ImagesClient user, Guid id, Func<JsonElement, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition(await user.GetJsonAsync($"/api/images/{id}/status")))
        {
            await Task.Delay(200, timeout.Token);
        }
    }

    private static async Task<JsonElement> WaitForJobAsync(ImagesClient user, Guid id, Func<JsonElement, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var job = (await user.GetJsonAsync($"/api/images/{id}")).GetProperty("job");
            if (condition(job))
            {
                return job;
            }

            await Task.Delay(200, timeout.Token);
        }
    }
}
