using System.Text;

namespace Stox.Hosting.Dashboard;

/// <summary>Renders console text with ANSI SGR colour codes as HTML spans; every other escape sequence is dropped.</summary>
internal static class AnsiText
{
    private static readonly string[] Colors = ["#000", "#c0392b", "#27ae60", "#b7950b", "#2e86c1", "#8e44ad", "#17a589", "#aaa"];
    private static readonly string[] BrightColors = ["#777", "#e74c3c", "#2ecc71", "#d4ac0d", "#5dade2", "#af7ac5", "#48c9b0", "#fff"];

    public static string ToHtml(string text)
    {
        if (!text.Contains('\u001b', StringComparison.Ordinal))
        {
            return Html.E(text);
        }

        var html = new StringBuilder(text.Length + 32);
        string? color = null;
        var bold = false;
        var open = false;
        var i = 0;
        while (i < text.Length)
        {
            var escape = text.IndexOf('\u001b', i);
            var plainEnd = escape < 0 ? text.Length : escape;
            if (plainEnd > i)
            {
                if (!open && (color is not null || bold))
                {
                    html.Append("<span style=\"").Append(color is null ? string.Empty : "color:" + color + ";").Append(bold ? "font-weight:600" : string.Empty).Append("\">");
                    open = true;
                }

                html.Append(Html.E(text[i..plainEnd]));
            }

            if (escape < 0)
            {
                break;
            }

            // CSI: ESC [ parameters final-byte; anything else: drop the escape and the next character.
            if (escape + 1 < text.Length && text[escape + 1] == '[')
            {
                var end = escape + 2;
                while (end < text.Length && (text[end] is >= '0' and <= '9' || text[end] == ';'))
                {
                    end++;
                }

                if (end < text.Length && text[end] == 'm')
                {
                    foreach (var part in text[(escape + 2)..end].Split(';'))
                    {
                        var code = part.Length == 0 ? 0 : int.TryParse(part, out var n) ? n : -1;
                        switch (code)
                        {
                            case 0: color = null; bold = false; break;
                            case 1: bold = true; break;
                            case 22: bold = false; break;
                            case 39: color = null; break;
                            case >= 30 and <= 37: color = Colors[code - 30]; break;
                            case >= 90 and <= 97: color = BrightColors[code - 90]; break;
                            default: break;
                        }
                    }

                    if (open)
                    {
                        html.Append("</span>");
                        open = false;
                    }
                }

                i = Math.Min(end + 1, text.Length);
            }
            else
            {
                i = Math.Min(escape + 2, text.Length);
            }
        }

        if (open)
        {
            html.Append("</span>");
        }

        return html.ToString();
    }

    /// <summary>The text without any escape sequence, for searching.</summary>
    public static string Strip(string text)
    {
        if (!text.Contains('\u001b', StringComparison.Ordinal))
        {
            return text;
        }

        var plain = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\u001b')
            {
                plain.Append(text[i]);
                continue;
            }

            if (i + 1 < text.Length && text[i + 1] == '[')
            {
                i += 2;
                while (i < text.Length && text[i] is (>= '0' and <= '9') or ';')
                {
                    i++;
                }
            }
            else
            {
                i++;
            }
        }

        return plain.ToString();
    }
}
