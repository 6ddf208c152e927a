namespace Stox.Jobs.Infrastructure;

/// <summary>Wakes a background loop early (it also wakes on its own timer); several notifications before it wakes count as one.</summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    /// <summary>Waits for a notification or the timeout, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => await _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>This replica committed outbox rows.</summary>
public sealed class OutboxSignal : WakeSignal;

/// <summary>This replica committed storage deletions.</summary>
public sealed class StorageDeletionSignal : WakeSignal;
