using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Stox.Hosting.Dashboard;

/// <summary>Small helpers for the server-rendered pages: every piece of data goes through <see cref="E"/>.</summary>
internal static class Html
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    public static string Q(string? text) => Uri.EscapeDataString(text ?? string.Empty);

    public static string Duration(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMicroseconds:0} µs"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.##} ms"),
        < 60_000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.##} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes} min {duration.Seconds} s"),
    };

    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    public static string Num(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A colour per name, stable across pages, so a service looks the same everywhere.</summary>
    public static string ColorOf(string name)
    {
        var hash = 17;
        foreach (var c in name)
        {
            hash = unchecked((hash * 31) + c);
        }

        return string.Create(CultureInfo.InvariantCulture, $"hsl({(uint)hash % 360}, 60%, 45%)");
    }

    public static StringBuilder AppendAttributes(this StringBuilder html, IEnumerable<KeyValuePair<string, string>> attributes)
    {
        html.Append("<table class=\"kv\">");
        foreach (var (key, value) in attributes)
        {
            html.Append("<tr><th>").Append(E(key)).Append("</th><td>").Append(E(value)).Append("</td></tr>");
        }

        return html.Append("</table>");
    }
}
