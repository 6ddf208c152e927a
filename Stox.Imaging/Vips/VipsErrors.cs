using NetVips;

namespace Stox.Imaging.Vips;

/// <summary>What libvips said, out of NetVips' exception ("unable to call X", then libvips' error buffer).</summary>
internal static class VipsErrors
{
    public static string Detail(VipsException e)
    {
        var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 ? string.Join('\n', lines[1..]) : lines.FirstOrDefault() ?? "unknown libvips error";
    }
}
