using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Messaging.Contracts;

using Stox.Tests.Infrastructure;

namespace Stox.Tests.Processing;

/// <summary>Storage outages, crashed replicas and stopped replicas: every job still completes, once.</summary>
[Collection(ProcessingCollection.Name)]
public sealed class ResilienceTests(ProcessingFixture fixture)
{
    private const string DeadLetterQueue = ImageTopology.Queues.ProcessingJobs + ".dead";

    private DistributedApplication App => fixture.App;

    [Fact]
    public async Task A_job_is_retried_while_storage_is_down_and_completes_once_it_is_back()
    {
        var job = await fixture.UploadOriginalAsync(ProcessingTests.PhotoJpeg(640, 480));
        await App.StopResourceAsync("storage");
        try
        {
            await fixture.RequestAsync(job);
            // A second attempt means the first failed and went through the retry queue.
            await fixture.WaitForAsync(job.JobId, events => events.Any(e => e.Progress is { Stage: ImageJobStages.Started, Attempt: 2 }), TimeSpan.FromSeconds(30));
        }
        finally
        {
            await App.StartResourceAsync("storage");
        }

        var outcome = await fixture.WaitForOutcomeAsync(job.JobId, TimeSpan.FromSeconds(45));

        var completed = Assert.Single(outcome, e => e.Completed is not null).Completed!;
        Assert.DoesNotContain(outcome, e => e.Failed is not null);
        Assert.Equal(10, completed.Variants.Count);
        Assert.Equal(10, (await fixture.ListVariantKeysAsync(job)).Count);
    }

    [Fact]
    public async Task A_job_that_keeps_failing_is_reported_as_failed_on_its_last_attempt_and_dead_lettered()
    {
        var job = await fixture.UploadOriginalAsync(ProcessingTests.PhotoJpeg(64, 48));
        var deadBefore = await fixture.MessageCountAsync(DeadLetterQueue);
        await App.StopResourceAsync("storage");
        IReadOnlyList<ProcessingFixture.JobEvent> events;
        try
        {
            await fixture.RequestAsync(job);
            events = await fixture.WaitForOutcomeAsync(job.JobId, TimeSpan.FromSeconds(60));
        }
        finally
        {
            await App.StartResourceAsync("storage");
        }

        var failed = Assert.Single(events, e => e.Failed is not null).Failed!;
        Assert.False(failed.Permanent);
        Assert.Equal(5, failed.Attempts);
        Assert.Contains("Storage could not be reached", failed.Error, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3, 4, 5], events.Where(e => e.Progress?.Stage == ImageJobStages.Started).Select(e => e.Progress!.Attempt));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await fixture.MessageCountAsync(DeadLetterQueue) != deadBefore + 1)
        {
            await Task.Delay(100, deadline.Token);
        }
    }

    [Fact]
    public async Task Every_job_of_a_batch_completes_exactly_once_in_storage_when_a_replica_is_killed_mid_batch()
    {
        var jobs = new List<ImageJobRequestedV1>();
        for (var i = 0; i < 6; i++)
        {
            jobs.Add(await fixture.UploadOriginalAsync(ProcessingTests.PhotoJpeg(1200, 750)));
        }

        try
        {
            foreach (var job in jobs)
            {
                await fixture.RequestAsync(job);
            }

            // Kill one replica while it is working on a job: started, not finished.
            var (killed, survivor) = (App.Instances("processing")[0], App.Instances("processing")[1]);
            var victim = await WaitForJobInFlightAsync(jobs, killed, TimeSpan.FromSeconds(30));
            await App.KillResourceAsync(killed);
            Assert.Equal(KnownResourceStates.Running, App.Snapshot(survivor).State?.Text);

            foreach (var job in jobs)
            {
                var events = await fixture.WaitForOutcomeAsync(job.JobId, TimeSpan.FromSeconds(60));
                Assert.Contains(events, e => e.Completed is not null);
                Assert.DoesNotContain(events, e => e.Failed is not null);
                var keys = await fixture.ListVariantKeysAsync(job);
                Assert.Equal(10, keys.Count);
                Assert.Equal(keys.Count, keys.Distinct().Count());
            }

            // The killed replica's job was redelivered to the other one and finished there.
            var victimEvents = fixture.EventsOf(victim.JobId);
            Assert.Contains(victimEvents, e => e.Completed is { } c && ProcessingFixture.ReplicaOf(c.Worker) == survivor);
        }
        finally
        {
            await App.StartResourceAsync("processing");
            await fixture.WaitForConsumersAsync(ProcessingFixture.Replicas);
        }
    }

    [Fact]
    public async Task A_replica_stopped_while_working_finishes_its_job_before_it_exits()
    {
        var job = await fixture.UploadOriginalAsync(ProcessingTests.PhotoJpeg(1200, 800), enhance: true);
        try
        {
            await fixture.RequestAsync(job);
            var started = await fixture.WaitForAsync(job.JobId, events => events.Any(e => e.Progress?.Stage == ImageJobStages.Started), TimeSpan.FromSeconds(30));
            var worker = started.First(e => e.Progress?.Stage == ImageJobStages.Started).Worker;

            var stopping = DateTimeOffset.UtcNow;
            await App.StopResourceAsync(ProcessingFixture.ReplicaOf(worker));

            // Stopping returned only once the replica exited: the job is already done, by the same replica, first time.
            var events = await fixture.WaitForOutcomeAsync(job.JobId, TimeSpan.FromSeconds(5));
            var completed = Assert.Single(events, e => e.Completed is not null).Completed!;
            Assert.Equal(worker, completed.Worker);
            Assert.True(completed.FinishedAt > stopping, "the job was still in flight when the replica was told to stop");
            Assert.All(events.Where(e => e.Progress is not null), e => Assert.Equal((1, worker), (e.Progress!.Attempt, e.Worker)));
        }
        finally
        {
            await App.StartResourceAsync("processing");
            await fixture.WaitForConsumersAsync(ProcessingFixture.Replicas);
        }
    }

    private async Task<ImageJobRequestedV1> WaitForJobInFlightAsync(List<ImageJobRequestedV1> jobs, string replica, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var inFlight = jobs.FirstOrDefault(job =>
            {
                var events = fixture.EventsOf(job.JobId);
                return !events.Any(e => e.IsOutcome) && events.Any(e => e.Progress is { Stage: ImageJobStages.Started } p && ProcessingFixture.ReplicaOf(p.Worker) == replica);
            });
            if (inFlight is not null)
            {
                return inFlight;
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}
