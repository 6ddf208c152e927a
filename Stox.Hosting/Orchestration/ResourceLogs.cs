namespace Stox.Hosting.Orchestration;

public readonly record struct LogLine(DateTimeOffset Timestamp, string Resource, string Text, bool IsError);

/// <summary>
/// The console output of every resource: kept in a bounded ring per resource (for error reports and the
/// dashboard) and forwarded to the configured sink.
/// </summary>
public sealed class ResourceLogService(Action<LogLine>? sink, int linesPerResource = 2000)
{
    private readonly Dictionary<string, Queue<LogLine>> _lines = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public event Action<LogLine>? LineWritten;

    public void Write(string resource, string text, bool isError = false)
    {
        var line = new LogLine(DateTimeOffset.UtcNow, resource, text, isError);
        lock (_lock)
        {
            if (!_lines.TryGetValue(resource, out var queue))
            {
                _lines[resource] = queue = new Queue<LogLine>();
            }

            if (queue.Count == linesPerResource)
            {
                queue.Dequeue();
            }

            queue.Enqueue(line);
        }

        sink?.Invoke(line);
        LineWritten?.Invoke(line);
    }

    /// <summary>Every name that has written a line: resources, and replicas or helper processes under their own names.</summary>
    public IReadOnlyList<string> Sources
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines.Keys];
            }
        }
    }

    public IReadOnlyList<LogLine> GetLines(string resource, int last = int.MaxValue)
    {
        lock (_lock)
        {
            return _lines.TryGetValue(resource, out var queue)
                ? queue.Skip(Math.Max(0, queue.Count - last)).ToList()
                : [];
        }
    }

    public string Tail(string resource, int last = 15) =>
        string.Join(Environment.NewLine, GetLines(resource, last).Select(l => "    " + l.Text));
}
