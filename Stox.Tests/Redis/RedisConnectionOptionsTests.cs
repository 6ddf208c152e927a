using Stox.ServiceDefaults.Redis;

namespace Stox.Tests.Redis;

public class RedisConnectionOptionsTests
{
    [Fact]
    public void Parses_the_aspire_format()
    {
        var o = RedisConnectionOptions.Parse("cache.internal:6380,password=s3cr=t,ssl=false,abortConnect=false,user=svc,defaultDatabase=2,connectTimeout=1500,name=jobs");
        Assert.Equal("cache.internal", o.Host);
        Assert.Equal(6380, o.Port);
        Assert.Equal("s3cr=t", o.Password);
        Assert.Equal("svc", o.User);
        Assert.False(o.Ssl);
        Assert.False(o.AbortOnConnectFail);
        Assert.Equal(2, o.DefaultDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), o.ConnectTimeout);
        Assert.Equal("jobs", o.ClientName);
    }

    [Fact]
    public void Defaults_port_keys_are_case_insensitive_and_unknown_keys_are_ignored()
    {
        var o = RedisConnectionOptions.Parse(" localhost , PASSWORD=pw, SSL=True, allowAdmin=true, keepAlive=60, asyncTimeout=750 ");
        Assert.Equal("localhost", o.Host);
        Assert.Equal(RedisConnectionOptions.DefaultPort, o.Port);
        Assert.Equal("pw", o.Password);
        Assert.True(o.Ssl);
        Assert.True(o.AbortOnConnectFail);
        Assert.Null(o.User);
        Assert.Equal(TimeSpan.FromMilliseconds(750), o.CommandTimeout);
    }

    [Fact]
    public void Parses_bracketed_ipv6()
    {
        var o = RedisConnectionOptions.Parse("[::1]:7000");
        Assert.Equal("::1", o.Host);
        Assert.Equal(7000, o.Port);
        Assert.Equal("[::1]:7000", o.EndPoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("password=x")]
    [InlineData("host:notaport")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData("host:")]
    [InlineData(":6379")]
    [InlineData("a:1,b:2")]
    [InlineData("host:6379,ssl=maybe")]
    [InlineData("host:6379,abortConnect=")]
    [InlineData("host:6379,defaultDatabase=-1")]
    [InlineData("host:6379,connectTimeout=soon")]
    [InlineData("host:6379,=value")]
    [InlineData("[::1:6379")]
    [InlineData("::1:6379")]
    public void Rejects_broken_strings_with_FormatException(string connectionString)
    {
        var ex = Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse(connectionString));
        Assert.Contains("Redis", ex.Message, StringComparison.Ordinal);
        Assert.False(RedisConnectionOptions.TryParse(connectionString, out _));
    }

    [Fact]
    public void Never_prints_the_password()
    {
        var o = RedisConnectionOptions.Parse("h:1,password=TopSecretValue,user=u");
        var text = o.ToString();
        Assert.DoesNotContain("TopSecretValue", text, StringComparison.Ordinal);
        Assert.Contains("password=*****", text, StringComparison.Ordinal);
        Assert.Contains("h:1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_value_message_names_the_key_not_the_password()
    {
        var ex = Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse("h:1,password=TopSecretValue,connectTimeout=x"));
        Assert.Contains("connectTimeout", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("TopSecretValue", ex.Message, StringComparison.Ordinal);
    }
}
