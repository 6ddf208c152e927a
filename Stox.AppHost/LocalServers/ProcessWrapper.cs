namespace Stox.AppHost.LocalServers;

/// <summary>
/// DCP stops an executable with SIGTERM. Some servers take SIGTERM as "wait for every client to leave"
/// (PostgreSQL's smart shutdown), and RabbitMQ needs Erlang's port mapper beside it. This small sh script runs
/// the server as its child, turns DCP's SIGTERM into the server's fast-shutdown signal, waits for it to exit
/// and stops the sidecar (if any) with it, so nothing outlives the resource.
/// </summary>
internal static class ProcessWrapper
{
    // $1: the signal for the server; $2: a sidecar command line ("" for none); the rest: the server's command.
    private const string Script = """
        signal=$1; sidecar=$2; shift 2
        if [ -n "$sidecar" ]; then sh -c "exec $sidecar" & helper=$!; fi
        "$@" & child=$!
        trap 'kill -s "$signal" "$child" 2>/dev/null' TERM INT
        status=0
        wait "$child" || status=$?
        while kill -0 "$child" 2>/dev/null; do wait "$child" || status=$?; done
        [ -n "$helper" ] && kill "$helper" 2>/dev/null
        exit "$status"
        """;

    public const string Shell = "/bin/sh";

    /// <summary>The arguments that run <paramref name="command"/> under the wrapper.</summary>
    public static List<object> Arguments(string resourceName, string signal, string? sidecar, IEnumerable<object> command) =>
        ["-c", Script, $"stox-{resourceName}", signal, sidecar ?? "", .. command];
}
