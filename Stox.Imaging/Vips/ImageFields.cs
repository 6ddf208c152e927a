using NetVips;

namespace Stox.Imaging.Vips;

/// <summary>Header fields that may be absent, read as null then.</summary>
internal static class ImageFields
{
    public static int? IntField(this Image image, string name) =>
        image.Contains(name) && image.Get(name) is int value ? value : null;

    public static string? StringField(this Image image, string name) =>
        image.Contains(name) ? image.Get(name) as string : null;

    /// <summary>Frames of an animation (1 for a still image).</summary>
    public static int Pages(this Image image) => Math.Max(1, image.IntField("n-pages") ?? 1);

    /// <summary>libvips' nickname of the interpretation, e.g. "srgb", "b-w", "cmyk".</summary>
    public static string InterpretationNick(this Image image) => image.Interpretation switch
    {
        Enums.Interpretation.Bw => "b-w",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>Saves with a libvips saver by name, e.g. <c>jpegsave_buffer</c>, with options NetVips passes as given.</summary>
    public static byte[] Save(this Image image, string saver, VOption? options = null) =>
        (byte[])Operation.Call(saver, options, image);

    /// <summary>Loads with a libvips loader by name (never libvips' file-type dispatch).</summary>
    public static Image Load(string loader, byte[] buffer, VOption? options = null) =>
        (Image)Operation.Call(loader, options, buffer);
}
