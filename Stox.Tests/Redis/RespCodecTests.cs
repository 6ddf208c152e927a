using System.Buffers;
using System.Text;
using Stox.ServiceDefaults.Redis;

namespace Stox.Tests.Redis;

public class RespCodecTests
{
    private static RedisResult ParseWhole(string text)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)));
        Assert.True(RespParser.TryParse(ref reader, out var result));
        Assert.Equal(0, reader.Remaining);
        return result!;
    }

    [Fact]
    public void Parses_every_reply_type()
    {
        Assert.Equal(RedisResultKind.SimpleString, ParseWhole("+OK\r\n").Kind);
        var error = ParseWhole("-ERR bad thing\r\n");
        Assert.Equal(RedisResultKind.Error, error.Kind);
        Assert.Equal("ERR bad thing", error.AsString());
        Assert.Equal(-42, ParseWhole(":-42\r\n").AsInt64());
        Assert.Equal("a\r\nb", ParseWhole("$4\r\na\r\nb\r\n").AsString());
        Assert.Equal(string.Empty, ParseWhole("$0\r\n\r\n").AsString());
        Assert.True(ParseWhole("$-1\r\n").IsNull);
        Assert.True(ParseWhole("*-1\r\n").IsNull);
        Assert.Equal(0, ParseWhole("*0\r\n").Count);

        var nested = ParseWhole("*3\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n-ERR inner\r\n");
        Assert.Equal(1, nested[0].AsInt64());
        Assert.Equal("x", nested[1][0].AsString());
        Assert.True(nested[1][1].IsNull);
        Assert.Equal(RedisResultKind.Error, nested[2].Kind);
    }

    [Fact]
    public void Needs_a_whole_reply_and_works_byte_by_byte()
    {
        var bytes = Encoding.UTF8.GetBytes("*2\r\n$5\r\nhe\r\no\r\n*1\r\n:7\r\n+PONG\r\n");
        var results = new List<RedisResult>();
        var buffered = new List<byte>();
        foreach (var b in bytes)
        {
            buffered.Add(b);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([.. buffered]));
            while (RespParser.TryParse(ref reader, out var result))
            {
                results.Add(result!);
                buffered.RemoveRange(0, (int)reader.Consumed);
                reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([.. buffered]));
            }
        }

        Assert.Equal(2, results.Count);
        Assert.Equal("he\r\no", results[0][0].AsString());
        Assert.Equal(7, results[0][1][0].AsInt64());
        Assert.Equal("PONG", results[1].AsString());
        Assert.Empty(buffered);
    }

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData(":12x\r\n")]
    [InlineData("$-5\r\n")]
    [InlineData("$2\r\nabcd\r\n")]
    [InlineData("%1\r\n")]
    public void Rejects_garbage(string text)
    {
        Assert.Throws<RedisProtocolException>(() => ParseWhole(text));
    }

    [Fact]
    public void Encodes_commands_as_bulk_string_arrays()
    {
        var bytes = RespEncoder.Encode("SET", ["k", new byte[] { 0, 13, 10 }, 42L, 1.5]);
        var expected = "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\0\r\n\r\n$2\r\n42\r\n$3\r\n1.5\r\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(bytes));
        Assert.Throws<ArgumentException>(() => RespEncoder.Encode("SET", ["k", DateTime.UtcNow]));
        Assert.Throws<ArgumentNullException>(() => RespEncoder.Encode("SET", ["k", null!]));
    }
}
