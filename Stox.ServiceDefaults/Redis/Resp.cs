using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Stox.ServiceDefaults.Redis;

/// <summary>RESP2 encoding of commands (arrays of bulk strings).</summary>
internal static class RespEncoder
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    /// <summary>Encodes a command and its arguments. Arguments: string (UTF-8), byte[], ReadOnlyMemory&lt;byte&gt;, integers, double, RedisResult.</summary>
    public static byte[] Encode(string command, IReadOnlyList<object> args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(args);
        var buffer = new ArrayBufferWriter<byte>(64);
        WriteHeader(buffer, '*', args.Count + 1);
        WriteBulk(buffer, Encoding.UTF8.GetBytes(command));
        for (var i = 0; i < args.Count; i++)
        {
            WriteBulk(buffer, ToBytes(args[i], i));
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static ReadOnlySpan<byte> ToBytes(object? arg, int index) => arg switch
    {
        null => throw new ArgumentNullException(nameof(arg), $"Redis command argument {index} is null."),
        string s => Encoding.UTF8.GetBytes(s),
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.Span,
        Memory<byte> m => m.Span,
        int n => Ascii(n.ToString(CultureInfo.InvariantCulture)),
        long n => Ascii(n.ToString(CultureInfo.InvariantCulture)),
        uint n => Ascii(n.ToString(CultureInfo.InvariantCulture)),
        ulong n => Ascii(n.ToString(CultureInfo.InvariantCulture)),
        short n => Ascii(n.ToString(CultureInfo.InvariantCulture)),
        double d => Ascii(FormatDouble(d)),
        float f => Ascii(FormatDouble(f)),
        RedisResult r => r.AsBytes() ?? throw new ArgumentException($"Redis command argument {index} is a null reply.", nameof(arg)),
        _ => throw new ArgumentException($"Redis command argument {index} has unsupported type {arg.GetType().Name}; use string, byte[], ReadOnlyMemory<byte> or a number.", nameof(arg)),
    };

    private static string FormatDouble(double d) =>
        double.IsPositiveInfinity(d) ? "+inf" : double.IsNegativeInfinity(d) ? "-inf" : d.ToString("R", CultureInfo.InvariantCulture);

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static void WriteHeader(ArrayBufferWriter<byte> buffer, char prefix, int length)
    {
        var span = buffer.GetSpan(16);
        span[0] = (byte)prefix;
        Utf8Formatter.TryFormat(length, span[1..], out var written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        buffer.Advance(3 + written);
    }

    private static void WriteBulk(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> value)
    {
        WriteHeader(buffer, '$', value.Length);
        buffer.Write(value);
        buffer.Write(Crlf);
    }
}

/// <summary>RESP2 decoding. Incremental: returns false (and consumes nothing the caller keeps) until a whole reply is buffered.</summary>
internal static class RespParser
{
    /// <summary>Largest bulk string Redis itself allows (proto-max-bulk-len default).</summary>
    private const long MaxBulkLength = 512L * 1024 * 1024;

    private const int MaxArrayLength = 64 * 1024 * 1024;
    private const int MaxDepth = 64;

    /// <summary>
    /// Tries to read one complete reply. On false the reader's position is unspecified; the caller restarts from
    /// its saved position when more data has arrived.
    /// </summary>
    /// <exception cref="RedisProtocolException">The bytes are not RESP2.</exception>
    public static bool TryParse(ref SequenceReader<byte> reader, out RedisResult? result) => TryParse(ref reader, out result, 0);

    private static bool TryParse(ref SequenceReader<byte> reader, out RedisResult? result, int depth)
    {
        result = null;
        if (!reader.TryRead(out var prefix))
        {
            return false;
        }

        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
        {
            return false;
        }

        switch (prefix)
        {
            case (byte)'+':
                result = RedisResult.SimpleString(DecodeText(line));
                return true;
            case (byte)'-':
                result = RedisResult.Error(DecodeText(line));
                return true;
            case (byte)':':
                result = RedisResult.Integer(ParseInteger(line));
                return true;
            case (byte)'$':
            {
                var length = ParseInteger(line);
                if (length == -1)
                {
                    result = RedisResult.NullBulkString;
                    return true;
                }

                if (length < 0 || length > MaxBulkLength)
                {
                    throw new RedisProtocolException($"Invalid RESP bulk string length {length}.");
                }

                if (reader.Remaining < length + 2)
                {
                    return false;
                }

                var bytes = reader.UnreadSequence.Slice(0, length).ToArray();
                reader.Advance(length);
                if (!reader.IsNext("\r\n"u8, advancePast: true))
                {
                    throw new RedisProtocolException("A RESP bulk string is not terminated by CRLF.");
                }

                result = RedisResult.Bulk(bytes);
                return true;
            }

            case (byte)'*':
            {
                var length = ParseInteger(line);
                if (length == -1)
                {
                    result = RedisResult.NullArray;
                    return true;
                }

                if (length < 0 || length > MaxArrayLength)
                {
                    throw new RedisProtocolException($"Invalid RESP array length {length}.");
                }

                if (depth >= MaxDepth)
                {
                    throw new RedisProtocolException("RESP arrays are nested too deeply.");
                }

                var items = new RedisResult[length];
                for (var i = 0; i < items.Length; i++)
                {
                    if (!TryParse(ref reader, out var item, depth + 1))
                    {
                        return false;
                    }

                    items[i] = item!;
                }

                result = RedisResult.Array(items);
                return true;
            }

            default:
                throw new RedisProtocolException($"Unexpected RESP type byte 0x{prefix:X2} ('{(char)prefix}'); RESP3 and inline replies are not supported.");
        }
    }

    private static string DecodeText(ReadOnlySequence<byte> line) =>
        line.IsSingleSegment ? Encoding.UTF8.GetString(line.FirstSpan) : Encoding.UTF8.GetString(line.ToArray());

    private static long ParseInteger(ReadOnlySequence<byte> line)
    {
        if (line.Length is 0 or > 20)
        {
            throw new RedisProtocolException("Invalid RESP integer.");
        }

        Span<byte> copy = stackalloc byte[20];
        line.CopyTo(copy);
        var digits = copy[..(int)line.Length];
        return Utf8Parser.TryParse(digits, out long value, out var consumed) && consumed == digits.Length
            ? value
            : throw new RedisProtocolException($"Invalid RESP integer '{Encoding.ASCII.GetString(digits)}'.");
    }
}
