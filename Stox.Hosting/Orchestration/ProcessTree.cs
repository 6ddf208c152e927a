using System.Globalization;

namespace Stox.Hosting.Orchestration;

/// <summary>Reads the process tree from /proc, so stopping a resource also stops what it spawned.</summary>
public static class ProcessTree
{
    public static IReadOnlyList<int> GetDescendants(int rootPid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var (pid, parent) in ReadParents())
        {
            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(pid);
        }

        var result = new List<int>();
        var pending = new Stack<int>([rootPid]);
        while (pending.Count > 0)
        {
            if (children.TryGetValue(pending.Pop(), out var list))
            {
                foreach (var child in list)
                {
                    result.Add(child);
                    pending.Push(child);
                }
            }
        }

        return result;
    }

    public static bool IsAlive(int pid)
    {
        // A zombie has exited; only its parent's bookkeeping remains.
        var stat = ReadStat(pid);
        return stat is not null && stat.Value.State != 'Z';
    }

    private static IEnumerable<(int Pid, int Parent)> ReadParents()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ReadStat(pid) is { } stat)
            {
                yield return (pid, stat.Parent);
            }
        }
    }

    private static (char State, int Parent)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name is in parentheses and may itself contain spaces or parentheses.
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 4 >= text.Length)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            ? (fields[0][0], parent)
            : null;
    }
}
