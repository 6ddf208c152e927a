using System.Globalization;

namespace Stox.Hosting.Orchestration;

/// <summary>The AppHost's console: every resource's output prefixed with its name, and the resource table.</summary>
internal static class ConsoleReporter
{
    private static readonly ConsoleColor[] Palette =
        [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkGreen, ConsoleColor.DarkYellow];

    private static readonly Lock ConsoleLock = new();
    private static readonly bool UseColor = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    public static void Write(LogLine line)
    {
        lock (ConsoleLock)
        {
            if (UseColor)
            {
                Console.ForegroundColor = Palette[(int)((uint)StableHash(line.Resource) % Palette.Length)];
            }

            Console.Out.Write($"{line.Resource,-14}| ");
            if (UseColor)
            {
                Console.ResetColor();
            }

            Console.Out.WriteLine(line.Text);
        }
    }

    public static void Info(string message) => WriteLine($"apphost       | {message}", null);

    public static void Error(string message) => WriteLine($"apphost       | {message}", ConsoleColor.Red);

    public static void PrintResources(IEnumerable<ResourceSnapshot> snapshots, TimeSpan elapsed, string? persistedState)
    {
        // The gateway first: it is where a person starts.
        var rows = snapshots
            .OrderBy(s => s.Name == "gateway" ? 0 : s.Type == "Project" ? 1 : 2)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => (s.Name, s.Type, State: s.Health == ResourceHealth.Healthy ? "Healthy" : s.State, Urls: string.Join(" ", s.Urls)))
            .ToList();
        var nameWidth = Math.Max(8, rows.Max(r => r.Name.Length)) + 2;
        var typeWidth = Math.Max(4, rows.Max(r => r.Type.Length)) + 2;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"All resources are healthy after {elapsed.TotalSeconds:0.0} s."),
            $"{"Resource".PadRight(nameWidth)}{"Type".PadRight(typeWidth)}{"State",-10}Endpoints",
        };
        lines.AddRange(rows.Select(r => $"{r.Name.PadRight(nameWidth)}{r.Type.PadRight(typeWidth)}{r.State,-10}{r.Urls}"));
        if (persistedState is not null)
        {
            lines.Add($"State is kept in {persistedState} (--persist).");
        }

        lines.Add("Press Ctrl+C to stop.");
        foreach (var line in lines)
        {
            Info(line);
        }
    }

    private static void WriteLine(string text, ConsoleColor? color)
    {
        lock (ConsoleLock)
        {
            if (color is { } c && UseColor)
            {
                Console.ForegroundColor = c;
            }

            Console.Out.WriteLine(text);
            if (color is not null && UseColor)
            {
                Console.ResetColor();
            }
        }
    }

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
