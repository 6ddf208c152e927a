using System.Globalization;
using System.Text;

namespace Stox.ServiceDefaults.Redis;

/// <summary>The RESP2 type of a <see cref="RedisResult"/>.</summary>
public enum RedisResultKind
{
    /// <summary><c>+OK</c></summary>
    SimpleString,

    /// <summary><c>-ERR ...</c>; only seen nested inside arrays (a top-level error is thrown as <see cref="RedisServerException"/>).</summary>
    Error,

    /// <summary><c>:42</c></summary>
    Integer,

    /// <summary><c>$3\r\nfoo</c>, or the null bulk string <c>$-1</c>.</summary>
    BulkString,

    /// <summary><c>*2\r\n...</c>, or the null array <c>*-1</c>.</summary>
    Array,
}

/// <summary>One reply from Redis. Immutable; arrays may nest.</summary>
public sealed class RedisResult
{
    /// <summary>The null bulk string (<c>$-1</c>), e.g. GET of a missing key.</summary>
    public static readonly RedisResult NullBulkString = new(RedisResultKind.BulkString, null, 0, null, null);

    /// <summary>The null array (<c>*-1</c>), e.g. BLPOP that timed out.</summary>
    public static readonly RedisResult NullArray = new(RedisResultKind.Array, null, 0, null, null);

    private static readonly RedisResult Ok = new(RedisResultKind.SimpleString, null, 0, "OK", null);
    private static readonly RedisResult EmptyArrayValue = new(RedisResultKind.Array, null, 0, null, []);

    private readonly byte[]? _bytes;
    private readonly long _integer;
    private readonly string? _text;
    private readonly RedisResult[]? _items;

    private RedisResult(RedisResultKind kind, byte[]? bytes, long integer, string? text, RedisResult[]? items)
    {
        Kind = kind;
        _bytes = bytes;
        _integer = integer;
        _text = text;
        _items = items;
    }

    /// <summary>The RESP2 type.</summary>
    public RedisResultKind Kind { get; }

    /// <summary>True for the null bulk string and the null array.</summary>
    public bool IsNull => Kind switch
    {
        RedisResultKind.BulkString => _bytes is null,
        RedisResultKind.Array => _items is null,
        _ => false,
    };

    /// <summary>The elements of an array reply (empty for the null array).</summary>
    /// <exception cref="InvalidOperationException">Not an array.</exception>
    public IReadOnlyList<RedisResult> Items => Kind == RedisResultKind.Array
        ? _items ?? []
        : throw new InvalidOperationException($"A {Kind} reply is not an array.");

    /// <summary>Number of elements of an array reply.</summary>
    public int Count => Items.Count;

    /// <summary>Element <paramref name="index"/> of an array reply.</summary>
    public RedisResult this[int index] => Items[index];

    /// <summary>An integer reply, or a string/bulk reply that holds a whole number.</summary>
    /// <exception cref="InvalidOperationException">The reply is not a whole number.</exception>
    public long AsInt64()
    {
        if (Kind == RedisResultKind.Integer)
        {
            return _integer;
        }

        var text = AsString();
        return text is not null && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new InvalidOperationException($"The {Kind} reply '{text ?? "(null)"}' is not an integer.");
    }

    /// <summary>The reply as text: UTF-8 of a bulk string, a simple string or error text, an integer in invariant digits; null for null replies.</summary>
    /// <exception cref="InvalidOperationException">The reply is a non-null array.</exception>
    public string? AsString() => Kind switch
    {
        RedisResultKind.SimpleString or RedisResultKind.Error => _text,
        RedisResultKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        RedisResultKind.BulkString => _bytes is null ? null : Encoding.UTF8.GetString(_bytes),
        _ => _items is null ? null : throw new InvalidOperationException("An array reply is not a string."),
    };

    /// <summary>The raw bytes of a bulk string (or the UTF-8 of a simple string / integer); null for null replies.</summary>
    /// <exception cref="InvalidOperationException">The reply is a non-null array.</exception>
    public byte[]? AsBytes() => Kind == RedisResultKind.BulkString ? _bytes : AsString() is { } s ? Encoding.UTF8.GetBytes(s) : null;

    /// <summary>The raw bytes of a bulk string without copying; empty for null or non-bulk replies.</summary>
    public ReadOnlyMemory<byte> Memory => _bytes;

    /// <summary>A short description for debugging; never throws.</summary>
    public override string ToString() => Kind switch
    {
        RedisResultKind.Array when _items is null => "(nil array)",
        RedisResultKind.Array => "[" + string.Join(", ", _items.Select(i => i.ToString())) + "]",
        RedisResultKind.BulkString when _bytes is null => "(nil)",
        RedisResultKind.Error => "(error) " + _text,
        _ => AsString() ?? string.Empty,
    };

    internal static RedisResult SimpleString(string text) => text == "OK" ? Ok : new(RedisResultKind.SimpleString, null, 0, text, null);

    internal static RedisResult Error(string text) => new(RedisResultKind.Error, null, 0, text, null);

    internal static RedisResult Integer(long value) => new(RedisResultKind.Integer, null, value, null, null);

    internal static RedisResult Bulk(byte[] value) => new(RedisResultKind.BulkString, value, 0, null, null);

    internal static RedisResult Array(RedisResult[] items) => items.Length == 0 ? EmptyArrayValue : new(RedisResultKind.Array, null, 0, null, items);
}
