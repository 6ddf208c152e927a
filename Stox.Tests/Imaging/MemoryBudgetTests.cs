using Stox.Imaging;

namespace Stox.Tests.Imaging;

/// <summary>The memory budget that bounds decoded images and large encodes across concurrent jobs.</summary>
public sealed class MemoryBudgetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Takes_what_fits_at_once_and_refuses_the_rest_without_waiting()
    {
        var budget = new MemoryBudget(100);

        Assert.True(budget.TryAcquire(60, out var first));
        Assert.True(budget.TryAcquire(40, out var second));
        Assert.False(budget.TryAcquire(1, out _));
        first.Dispose();
        first.Dispose(); // a second dispose gives nothing back twice
        Assert.True(budget.TryAcquire(60, out var third));
        Assert.False(budget.TryAcquire(1, out _));
        second.Dispose();
        third.Dispose();
        Assert.True(budget.TryAcquire(100, out _));
    }

    [Fact]
    public async Task A_request_larger_than_the_budget_waits_until_it_has_it_all_and_then_runs_alone()
    {
        var budget = new MemoryBudget(100);
        var small = budget.Acquire(10, CancellationToken.None);

        var huge = Task.Run(() => budget.Acquire(500, CancellationToken.None));
        await QueuedAsync(budget, 1);
        Assert.False(huge.IsCompleted);

        small.Dispose();
        using var lease = await huge.WaitAsync(Patience);
        Assert.False(budget.TryAcquire(1, out _));
    }

    [Fact]
    public async Task Waiters_are_served_in_order_so_a_large_one_is_not_starved()
    {
        var budget = new MemoryBudget(100);
        var holder = budget.Acquire(50, CancellationToken.None);
        var large = Task.Run(() => budget.Acquire(100, CancellationToken.None));
        await QueuedAsync(budget, 1);

        // 50 are free, but the large request came first: a small one must queue behind it.
        Assert.False(budget.TryAcquire(10, out _));
        var small = Task.Run(() => budget.Acquire(10, CancellationToken.None));
        await QueuedAsync(budget, 2);

        holder.Dispose();
        var largeLease = await large.WaitAsync(Patience);
        Assert.Equal(1, budget.Waiting);
        Assert.False(small.IsCompleted);
        largeLease.Dispose();
        (await small.WaitAsync(Patience)).Dispose();
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_lets_the_next_one_in()
    {
        var budget = new MemoryBudget(100);
        var holder = budget.Acquire(80, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var blocked = Task.Run(() => budget.Acquire(50, cancel.Token));
        await QueuedAsync(budget, 1);
        var behind = Task.Run(() => budget.Acquire(20, CancellationToken.None)); // would fit, but 50 came first
        await QueuedAsync(budget, 2);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Patience));
        (await behind.WaitAsync(Patience)).Dispose();
        holder.Dispose();
        Assert.True(budget.TryAcquire(100, out _));
    }

    [Fact]
    public async Task A_lease_reduced_gives_the_rest_back_at_once_and_the_remainder_when_disposed()
    {
        var budget = new MemoryBudget(100);
        var lease = budget.Acquire(90, CancellationToken.None);
        var waiting = Task.Run(() => budget.Acquire(60, CancellationToken.None));
        await QueuedAsync(budget, 1);

        lease.ReduceTo(40);
        Assert.Equal(40, lease.Amount);
        using var granted = await waiting.WaitAsync(Patience);

        lease.ReduceTo(50); // more than it holds: nothing changes
        lease.ReduceTo(-1); // less than nothing: keeps nothing
        Assert.Equal(0, lease.Amount);
        Assert.True(budget.TryAcquire(40, out var rest));
        Assert.False(budget.TryAcquire(1, out _));

        lease.Dispose();
        rest.Dispose();
        Assert.True(budget.TryAcquire(40, out _));
        Assert.False(budget.TryAcquire(1, out _));
    }

    [Fact]
    public void A_lease_reduced_and_disposed_from_many_threads_gives_back_exactly_what_it_held()
    {
        var budget = new MemoryBudget(1_000);
        for (var round = 0; round < 2_000; round++)
        {
            var lease = budget.Acquire(1_000, CancellationToken.None);
            Parallel.Invoke(
                () => lease.ReduceTo(700),
                () => lease.ReduceTo(300),
                lease.Dispose,
                () => lease.ReduceTo(500),
                lease.Dispose);
            Assert.Equal(0, lease.Amount);
        }

        // Over-release would leave more than the capacity available; under-release, less.
        Assert.True(budget.TryAcquire(1_000, out var all));
        Assert.False(budget.TryAcquire(1, out _));
        all.Dispose();
    }

    private static async Task QueuedAsync(MemoryBudget budget, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (budget.Waiting < count)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
