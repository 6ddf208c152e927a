using System.Net;
using System.Net.Sockets;

namespace Stox.Hosting.Orchestration;

internal static class PortAllocator
{
    // Below Linux's default ephemeral range (32768-60999): a server restarted on its old port (a broker or
    // database stopped and started by a test) must not find it taken by some process's outgoing connection.
    private const int RangeStart = 20000;
    private const int RangeEnd = 32000;

    // Several apps can run in one process (test collections in parallel): never hand out a port twice.
    private static readonly HashSet<int> Handed = [];
    private static readonly Lock Sync = new();

    /// <summary>A port the OS says is free now. Starting a server on it can still race; callers retry.</summary>
    public static int GetFreePort()
    {
        lock (Sync)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = Random.Shared.Next(RangeStart, RangeEnd);
                if (!Handed.Contains(port) && IsFree(port))
                {
                    Handed.Add(port);
                    return port;
                }
            }

            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var fallback = ((IPEndPoint)listener.LocalEndpoint).Port;
            Handed.Add(fallback);
            return fallback;
        }
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
