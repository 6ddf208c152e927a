using NetVips;

namespace Stox.Imaging;

/// <summary>
/// Cancellation and deadline for one job. Images a job evaluates are tracked: each gets libvips' progress
/// signal, whose <c>eval</c> handler sets the kill flag once the token is cancelled, and cancelling the
/// token also sets it at once. libvips then fails the evaluation with "killed", and the engine turns
/// that into <see cref="OperationCanceledException"/> or <see cref="TimeoutException"/>.
/// A kill never touches freed memory: NetVips' images are safe handles, so a disposed one refuses the call (the
/// engine untracks an image before it lets go of it; only a failing job's last images are disposed still tracked).
/// </summary>
internal sealed class JobScope : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(Image Image, ulong Handler)> _images = [];
    private readonly CancellationTokenRegistration _registration;
    private bool _disposed;

    public JobScope(CancellationToken token)
    {
        Token = token;
        _registration = token.Register(static s => ((JobScope)s!).KillAll(), this);
    }

    public CancellationToken Token { get; }

    public Image Track(Image image)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return image;
            }

            image.SetProgress(true);
            var token = Token;
            var handler = image.SignalConnect(Enums.Signals.Eval, (evaluated, _) =>
            {
                if (token.IsCancellationRequested)
                {
                    evaluated.SetKill(true);
                }
            });
            _images.Add((image, handler));
            if (Token.IsCancellationRequested)
            {
                image.SetKill(true);
            }
        }

        return image;
    }

    public void Untrack(Image image)
    {
        lock (_gate)
        {
            var i = _images.FindIndex(x => ReferenceEquals(x.Image, image));
            if (i >= 0)
            {
                Disconnect(_images[i]);
                _images.RemoveAt(i);
            }
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        lock (_gate)
        {
            _disposed = true;
            foreach (var entry in _images)
            {
                Disconnect(entry);
            }

            _images.Clear();
        }
    }

    private static void Disconnect((Image Image, ulong Handler) entry) =>
        UnlessDisposed(() => entry.Image.SignalHandlerDisconnect(entry.Handler));

    private void KillAll()
    {
        lock (_gate)
        {
            foreach (var (image, _) in _images)
            {
                UnlessDisposed(() => image.SetKill(true));
            }
        }
    }

    private static void UnlessDisposed(Action action)
    {
        try
        {
            action();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
