using System.Runtime.InteropServices;

namespace Stox.Hosting.Orchestration;

internal static partial class NativeMethods
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    public static bool IsRoot => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    /// <summary>Sends a signal; false when the process is already gone.</summary>
    public static bool SendSignal(int pid, int signal) => Kill(pid, signal) == 0;
}
