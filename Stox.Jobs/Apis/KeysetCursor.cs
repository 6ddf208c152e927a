using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Stox.Jobs.Apis;

/// <summary>
/// An opaque keyset position, the last item's creation time and id, and the <c>cursor</c>/<c>limit</c> query
/// parameters every list of this API takes. Lists are newest first: the next page is what sorts after the position.
/// </summary>
public static class KeysetCursor
{
    public const int DefaultLimit = 30;
    public const int MaxLimit = 100;

    public static string Encode(DateTimeOffset createdAt, Guid id) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{createdAt.UtcTicks}:{id:N}")));

    public static bool TryDecode(string cursor, out (DateTimeOffset CreatedAt, Guid Id) position)
    {
        position = default;
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            var parts = text.Split(':');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks is > 0 and < 3155378975999999999
                && Guid.TryParseExact(parts[1], "N", out var id))
            {
                position = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }

    /// <summary>Reads <c>cursor</c> and <c>limit</c>, adding what is wrong with them to <paramref name="errors"/>.</summary>
    public static (int Take, (DateTimeOffset CreatedAt, Guid Id)? After) ReadPage(string? cursor, string? limit, Dictionary<string, string[]> errors)
    {
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."];
        }

        (DateTimeOffset CreatedAt, Guid Id)? after = null;
        if (cursor is not null)
        {
            if (TryDecode(cursor, out var position))
            {
                after = position;
            }
            else
            {
                errors["cursor"] = ["The cursor is not one this API gave out."];
            }
        }

        return (take, after);
    }

    /// <summary>The cursor of the page after <paramref name="page"/>, which was read with one item more than <paramref name="take"/>.</summary>
    public static string? Next<T>(IReadOnlyList<T> page, int take, Func<T, (DateTimeOffset CreatedAt, Guid Id)> key)
    {
        if (page.Count <= take)
        {
            return null;
        }

        var (createdAt, id) = key(page[take - 1]);
        return Encode(createdAt, id);
    }
}
