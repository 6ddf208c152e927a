using Stox.Messaging.Contracts;

namespace Stox.Jobs.Uploads;

/// <summary>The options an upload can carry (form fields or query string): <c>enhance</c> and <c>formats</c>.</summary>
public static class UploadFields
{
    /// <summary>Parses <c>true</c>/<c>false</c>/<c>1</c>/<c>0</c>/<c>on</c>; empty means false.</summary>
    public static bool TryParseEnhance(string? value, out bool enhance)
    {
        enhance = false;
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "false" or "0" or "off":
                return true;
            case "true" or "1" or "on":
                enhance = true;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Parses <c>jpeg,webp,avif</c> (any order, <c>jpg</c> accepted); empty means the default set. JPEG is always
    /// produced: it is the fallback every browser and the content negotiation rely on.
    /// </summary>
    public static bool TryParseFormats(string? value, out string[] formats, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            formats = [.. ImageFormats.Default];
            return true;
        }

        var wanted = new HashSet<string>(StringComparer.Ordinal) { ImageFormats.Jpeg };
        foreach (var raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = raw.ToLowerInvariant() is "jpg" ? ImageFormats.Jpeg : raw.ToLowerInvariant();
            if (!ImageFormats.All.Contains(name))
            {
                formats = [];
                error = $"'{raw}' is not an output format; use any of jpeg, webp, avif.";
                return false;
            }

            wanted.Add(name);
        }

        formats = [.. ImageFormats.All.Where(wanted.Contains)];
        return true;
    }

    /// <summary>A file name safe to store and show: no path, no control characters, at most 255 characters.</summary>
    public static string CleanFileName(string? name)
    {
        var file = Path.GetFileName((name ?? string.Empty).Replace('\\', '/'));
        file = new string([.. file.Where(c => !char.IsControl(c))]).Trim();
        if (file.Length == 0)
        {
            return "image";
        }

        return file.Length <= 255 ? file : file[..255];
    }
}
