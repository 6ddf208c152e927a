using Stox.Jobs.Data;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Delivery;

/// <summary>Picks the variant format a client gets: AVIF over WebP over JPEG, as far as its <c>Accept</c> header allows.</summary>
public static class ContentNegotiation
{
    public static StoredVariant? Choose(IEnumerable<StoredVariant> candidates, string? accept)
    {
        var available = candidates.ToList();
        StoredVariant? Find(string format) => available.FirstOrDefault(v => v.Format == format);
        accept ??= string.Empty;
        if (Accepts(accept, "image/avif") && Find(ImageFormats.Avif) is { } avif)
        {
            return avif;
        }

        if (Accepts(accept, "image/webp") && Find(ImageFormats.WebP) is { } webp)
        {
            return webp;
        }

        return Find(ImageFormats.Jpeg) ?? available.FirstOrDefault();
    }

    /// <summary>True when the header names the type without <c>q=0</c>; wildcards do not count, since every browser sends <c>*/*</c>.</summary>
    private static bool Accepts(string accept, string mediaType)
    {
        foreach (var part in accept.Split(','))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            if (!pieces[0].Equals(mediaType, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            return !pieces.Skip(1).Any(p => p.Replace(" ", string.Empty, StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000");
        }

        return false;
    }
}
