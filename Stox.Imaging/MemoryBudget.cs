using System.Diagnostics.CodeAnalysis;

namespace Stox.Imaging;

/// <summary>
/// A process-wide allowance of bytes, taken by work whose memory grows with its pixel count (decoded images,
/// full-size encodes) for what it will hold, and given back when that work ends. Requests are served first come,
/// first served, so a large one is never starved by a stream of small ones; one larger than the whole budget waits
/// until it has the budget to itself and then runs alone.
/// </summary>
internal sealed class MemoryBudget(long capacity)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _queue = new();
    private long _available = capacity;

    public long Capacity { get; } = capacity;

    /// <summary>Requests waiting for their turn.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Takes <paramref name="bytes"/> (at most the whole budget), waiting for its turn.</summary>
    public Lease Acquire(long bytes, CancellationToken cancellationToken)
    {
        var amount = Math.Clamp(bytes, 0, Capacity);
        Waiter waiter;
        lock (_gate)
        {
            if (_queue.Count == 0 && _available >= amount)
            {
                _available -= amount;
                return new Lease(this, amount);
            }

            waiter = new Waiter(amount);
            waiter.Node = _queue.AddLast(waiter);
        }

        try
        {
            waiter.Granted.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                if (!waiter.IsGranted)
                {
                    _queue.Remove(waiter.Node!);
                    GrantWaiting(); // the ones behind it may fit now
                    throw;
                }
            }

            Release(amount); // granted just as it was cancelled
            throw;
        }

        return new Lease(this, amount);
    }

    /// <summary>Takes <paramref name="bytes"/> only if that needs no waiting.</summary>
    public bool TryAcquire(long bytes, [NotNullWhen(true)] out Lease? lease)
    {
        var amount = Math.Clamp(bytes, 0, Capacity);
        lock (_gate)
        {
            if (_queue.Count == 0 && _available >= amount)
            {
                _available -= amount;
                lease = new Lease(this, amount);
                return true;
            }
        }

        lease = null;
        return false;
    }

    private void Release(long amount)
    {
        lock (_gate)
        {
            _available += amount;
            GrantWaiting();
        }
    }

    private void GrantWaiting()
    {
        while (_queue.First is { } first && _available >= first.Value.Amount)
        {
            _available -= first.Value.Amount;
            first.Value.IsGranted = true;
            _queue.RemoveFirst();
            first.Value.Granted.Set();
        }
    }

    private sealed class Waiter(long amount)
    {
        public long Amount { get; } = amount;

        // Never disposed: without a kernel handle (nobody asks for WaitHandle) there is nothing to free.
        public ManualResetEventSlim Granted { get; } = new();

        public bool IsGranted { get; set; }

        public LinkedListNode<Waiter>? Node { get; set; }
    }

    /// <summary>
    /// Gives the bytes back when disposed (once, from any thread: a job may hand its lease back early), or part of
    /// them earlier with <see cref="ReduceTo"/> when the work's memory shrinks.
    /// </summary>
    public sealed class Lease(MemoryBudget budget, long amount) : IDisposable
    {
        private MemoryBudget? _budget = budget;
        private long _amount = amount;

        /// <summary>Bytes this lease still holds.</summary>
        public long Amount => Volatile.Read(ref _amount);

        /// <summary>Keeps at most <paramref name="bytes"/> and gives the rest back now (a decoder's working memory once it is done).</summary>
        public void ReduceTo(long bytes)
        {
            var target = Math.Max(0, bytes);
            var budget = Volatile.Read(ref _budget); // read first: a Dispose after this finds the reduced amount
            long held;
            do
            {
                held = Volatile.Read(ref _amount);
                if (held <= target)
                {
                    return;
                }
            }
            while (Interlocked.CompareExchange(ref _amount, target, held) != held);

            budget?.Release(held - target);
        }

        public void Dispose() => Interlocked.Exchange(ref _budget, null)?.Release(Interlocked.Exchange(ref _amount, 0));
    }
}
