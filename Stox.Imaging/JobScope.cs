using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Stox.Imaging.Native;

namespace Stox.Imaging;

/// <summary>
/// Cancellation and deadline for one job. Images a job evaluates are tracked: each gets libvips' progress
/// signal, whose <c>eval</c> callback sets the kill flag once the token is cancelled, and cancelling the
/// token also sets it at once. libvips then fails the evaluation with "killed", and the engine turns
/// that into <see cref="OperationCanceledException"/> or <see cref="TimeoutException"/>.
/// The scope holds its own reference on every tracked image, so a late kill never touches freed memory.
/// </summary>
internal sealed class JobScope : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(nint Image, ulong Handler)> _images = [];
    private readonly CancellationTokenRegistration _registration;
    private GCHandle _self;
    private bool _disposed;

    public JobScope(CancellationToken token)
    {
        Token = token;
        _self = GCHandle.Alloc(this);
        _registration = token.Register(static s => ((JobScope)s!).KillAll(), this);
    }

    public CancellationToken Token { get; }

    public VipsImage Track(VipsImage image)
    {
        var ptr = image.Handle.DangerousGetHandle();
        lock (_gate)
        {
            if (_disposed)
            {
                return image;
            }

            LibVips.g_object_ref(ptr);
            LibVips.vips_image_set_progress(ptr, true);
            ulong handler;
            unsafe
            {
                delegate* unmanaged[Cdecl]<nint, nint, nint, void> callback = &OnEval;
                handler = LibVips.g_signal_connect_data(ptr, "eval", (nint)callback, GCHandle.ToIntPtr(_self), 0, 0);
            }

            _images.Add((ptr, handler));
            if (Token.IsCancellationRequested)
            {
                LibVips.vips_image_set_kill(ptr, true);
            }
        }

        return image;
    }

    public void Untrack(VipsImage image)
    {
        var ptr = image.Handle.DangerousGetHandle();
        lock (_gate)
        {
            var i = _images.FindIndex(x => x.Image == ptr);
            if (i >= 0)
            {
                Release(_images[i]);
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
                Release(entry);
            }

            _images.Clear();
        }

        _self.Free();
    }

    private static void Release((nint Image, ulong Handler) entry)
    {
        LibVips.g_signal_handler_disconnect(entry.Image, entry.Handler);
        LibVips.g_object_unref(entry.Image);
    }

    private void KillAll()
    {
        lock (_gate)
        {
            foreach (var (image, _) in _images)
            {
                LibVips.vips_image_set_kill(image, true);
            }
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnEval(nint image, nint progress, nint userData)
    {
        if (GCHandle.FromIntPtr(userData).Target is JobScope { Token.IsCancellationRequested: true })
        {
            LibVips.vips_image_set_kill(image, true);
        }
    }
}
