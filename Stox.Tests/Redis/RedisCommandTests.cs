using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Stox.ServiceDefaults.Redis;

namespace Stox.Tests.Redis;

public sealed class RedisCommandTests : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private readonly RedisServerFixture _server;
    private RedisConnection _redis = null!;

    public RedisCommandTests(RedisServerFixture server) => _server = server;

    public async Task InitializeAsync() => _redis = await _server.ConnectAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private static string Key(string name) => $"test:{name}:{Guid.NewGuid():N}";

    [Fact]
    public async Task Returns_every_reply_type()
    {
        var key = Key("types");
        var pong = await _redis.ExecuteAsync("PING");
        Assert.Equal(RedisResultKind.SimpleString, pong.Kind);
        Assert.Equal("PONG", pong.AsString());

        Assert.Equal("OK", (await _redis.ExecuteAsync("SET", key, "v")).AsString());
        var bulk = await _redis.ExecuteAsync("GET", key);
        Assert.Equal(RedisResultKind.BulkString, bulk.Kind);
        Assert.Equal("v", bulk.AsString());

        var missing = await _redis.ExecuteAsync("GET", Key("missing"));
        Assert.Equal(RedisResultKind.BulkString, missing.Kind);
        Assert.True(missing.IsNull);
        Assert.Null(missing.AsString());

        await _redis.ExecuteAsync("SET", key, string.Empty);
        var empty = await _redis.ExecuteAsync("GET", key);
        Assert.False(empty.IsNull);
        Assert.Equal(string.Empty, empty.AsString());

        var counter = Key("n");
        var integer = await _redis.ExecuteAsync("INCRBY", counter, 41);
        Assert.Equal(RedisResultKind.Integer, integer.Kind);
        Assert.Equal(41, integer.AsInt64());

        var list = Key("list");
        await _redis.ExecuteAsync("RPUSH", list, "a", "b", "c");
        var range = await _redis.ExecuteAsync("LRANGE", list, 0, -1);
        Assert.Equal(RedisResultKind.Array, range.Kind);
        Assert.Equal(["a", "b", "c"], range.Items.Select(i => i.AsString()));
        Assert.Equal(0, (await _redis.ExecuteAsync("LRANGE", Key("none"), 0, -1)).Count);

        var mget = await _redis.ExecuteAsync("MGET", counter, Key("none"));
        Assert.Equal("41", mget[0].AsString());
        Assert.True(mget[1].IsNull);

        var nested = await _redis.ExecuteAsync("EVAL", "return {1, {2, 'x', {}}, 'y', redis.error_reply('MYERR inside'), redis.status_reply('FINE')}", 0);
        Assert.Equal(5, nested.Count);
        Assert.Equal(1, nested[0].AsInt64());
        Assert.Equal(2, nested[1][0].AsInt64());
        Assert.Equal("x", nested[1][1].AsString());
        Assert.Equal(0, nested[1][2].Count);
        Assert.Equal("y", nested[2].AsString());
        Assert.Equal(RedisResultKind.Error, nested[3].Kind);
        Assert.Equal("MYERR inside", nested[3].AsString());
        Assert.Equal(RedisResultKind.SimpleString, nested[4].Kind);

        var nullArray = await _redis.ExecuteAsync("BLPOP", [Key("empty"), "0.01"], Generous);
        Assert.Equal(RedisResultKind.Array, nullArray.Kind);
        Assert.True(nullArray.IsNull);
    }

    [Fact]
    public async Task Values_are_binary_safe()
    {
        var key = Key("bin");
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).Concat("\r\n$5\r\n*1\r\n"u8.ToArray()).ToArray();
        Assert.True(await _redis.StringSetAsync(key, all));
        Assert.Equal(all, await _redis.StringGetBytesAsync(key));

        var large = new byte[3 * 1024 * 1024 + 7];
        new Random(42).NextBytes(large);
        large[1000] = 13;
        large[1001] = 10;
        Assert.True(await _redis.StringSetAsync(key, large));
        Assert.Equal(large, await _redis.StringGetBytesAsync(key));

        const string unicode = "zürich – 東京 – \r\n – 🙂";
        await _redis.StringSetAsync(key, unicode);
        Assert.Equal(unicode, await _redis.StringGetAsync(key));
    }

    [Fact]
    public async Task Two_hundred_concurrent_commands_each_get_their_own_reply()
    {
        var prefix = Key("many");
        var tasks = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var value = $"value-{i}-" + new string((char)('a' + (i % 26)), i * 97);
            var echo = await _redis.ExecuteAsync("ECHO", value);
            Assert.Equal(value, echo.AsString());
            Assert.True(await _redis.StringSetAsync($"{prefix}:{i}", value));
            Assert.Equal(i + 1, await _redis.StringIncrementAsync($"{prefix}:n:{i}", i + 1));
            Assert.Equal(value, await _redis.StringGetAsync($"{prefix}:{i}"));
        }));
        await Task.WhenAll(tasks).WaitAsync(Generous);
    }

    [Fact]
    public async Task Server_errors_throw_with_redis_message_and_the_connection_keeps_working()
    {
        var unknown = await Assert.ThrowsAsync<RedisServerException>(() => _redis.ExecuteAsync("NOSUCHCOMMAND", "x"));
        Assert.StartsWith("ERR unknown command", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("ERR", unknown.ErrorCode);

        var key = Key("wrongtype");
        await _redis.StringSetAsync(key, "text");
        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => _redis.ExecuteAsync("LPUSH", key, "x"));
        Assert.Equal("WRONGTYPE", wrongType.ErrorCode);
        Assert.Contains("wrong kind of value", wrongType.Message, StringComparison.Ordinal);

        var custom = await Assert.ThrowsAsync<RedisServerException>(() => _redis.ExecuteAsync("EVAL", "return redis.error_reply('MYERR custom failure')", 0));
        Assert.Equal("MYERR custom failure", custom.Message);

        Assert.Equal("text", await _redis.StringGetAsync(key));
    }

    [Fact]
    public async Task Refuses_commands_that_would_break_the_shared_connection()
    {
        foreach (var command in new[] { "SUBSCRIBE", "select", "MULTI", "MONITOR", "QUIT" })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => _redis.ExecuteAsync(command, "0"));
        }

        await Assert.ThrowsAsync<ArgumentException>(() => _redis.ExecuteAsync("SET", "k", new object()));
        Assert.Equal("PONG", (await _redis.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task Typed_helpers_cover_set_nx_expiry_increment_delete()
    {
        var key = Key("typed");
        Assert.True(await _redis.StringSetAsync(key, "first", onlyIfNotExists: true));
        Assert.False(await _redis.StringSetAsync(key, "second", onlyIfNotExists: true));
        Assert.Equal("first", await _redis.StringGetAsync(key));
        Assert.Null(await _redis.KeyTimeToLiveAsync(key));

        Assert.True(await _redis.StringSetAsync(key, "third", expiry: TimeSpan.FromMinutes(5)));
        var ttl = await _redis.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));

        var counter = Key("counter");
        Assert.Equal(1, await _redis.StringIncrementAsync(counter));
        Assert.Equal(11, await _redis.StringIncrementAsync(counter, 10));
        Assert.True(await _redis.KeyExpireAsync(counter, TimeSpan.FromSeconds(60)));
        Assert.False(await _redis.KeyExpireAsync(Key("absent"), TimeSpan.FromSeconds(60)));

        Assert.True(await _redis.KeyDeleteAsync(key));
        Assert.False(await _redis.KeyDeleteAsync(key));
        Assert.Equal(1, await _redis.KeyDeleteAsync([counter, Key("absent")]));
        Assert.Null(await _redis.StringGetAsync(counter));

        // A short expiry really expires (the rate-limit window pattern).
        var window = Key("window");
        Assert.True(await _redis.StringSetAsync(window, "1", expiry: TimeSpan.FromMilliseconds(50)));
        using var deadline = new CancellationTokenSource(Generous);
        while (await _redis.StringGetAsync(window) is not null)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    [Fact]
    public async Task Lua_uses_evalsha_and_falls_back_to_eval_on_noscript()
    {
        var script = $"return redis.call('INCRBY', KEYS[1], ARGV[1]) -- {Guid.NewGuid():N}";
        var key = Key("lua");
        await _redis.ExecuteAsync("SCRIPT", "FLUSH");

        Assert.Equal(5, (await _redis.ScriptEvaluateAsync(script, [key], [5])).AsInt64()); // NOSCRIPT -> EVAL
        var sha = RedisConnectionExtensions.ScriptHash(script);
        Assert.Equal(1, (await _redis.ExecuteAsync("SCRIPT", "EXISTS", sha))[0].AsInt64());

        var evalCalls = await CommandCallsAsync("eval");
        var evalShaCalls = await CommandCallsAsync("evalsha");
        Assert.Equal(10, (await _redis.ScriptEvaluateAsync(script, [key], [5])).AsInt64()); // EVALSHA hit
        Assert.Equal(evalCalls, await CommandCallsAsync("eval"));
        Assert.Equal(evalShaCalls + 1, await CommandCallsAsync("evalsha"));

        await _redis.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.Equal(15, (await _redis.ScriptEvaluateAsync(script, [key], [5])).AsInt64()); // fallback again
        Assert.Equal(evalCalls + 1, await CommandCallsAsync("eval"));

        var error = await Assert.ThrowsAsync<RedisServerException>(() => _redis.ScriptEvaluateAsync("return redis.call('NOPE')"));
        Assert.Contains("Unknown Redis command", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<long> CommandCallsAsync(string command)
    {
        var info = (await _redis.ExecuteAsync("INFO", "commandstats")).AsString()!;
        var line = info.Split("\r\n").FirstOrDefault(l => l.StartsWith($"cmdstat_{command}:", StringComparison.Ordinal));
        if (line is null)
        {
            return 0;
        }

        var calls = line.Split(':')[1].Split(',').First(p => p.StartsWith("calls=", StringComparison.Ordinal));
        return long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Command_timeout_throws_and_later_replies_still_match()
    {
        var key = Key("blocked");
        var ex = await Assert.ThrowsAsync<RedisTimeoutException>(() => _redis.ExecuteAsync("BLPOP", [key, 1], TimeSpan.FromMilliseconds(150)));
        Assert.Contains("BLPOP", ex.Message, StringComparison.Ordinal);

        // The BLPOP reply (null array after ~1 s) arrives later and must be dropped, not given to ECHO.
        var echo = await _redis.ExecuteAsync("ECHO", "after-timeout");
        Assert.Equal("after-timeout", echo.AsString());
        Assert.True(_redis.IsConnected);
    }

    [Fact]
    public async Task Cancellation_before_and_during_a_command()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _redis.ExecuteAsync("PING", [], null, cancelled.Token));

        using var during = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _redis.ExecuteAsync("BLPOP", [Key("never"), 1], Generous, during.Token));

        Assert.Equal("still-in-sync", (await _redis.ExecuteAsync("ECHO", "still-in-sync")).AsString());
    }

    [Fact]
    public async Task Wrong_password_is_a_clear_connection_error()
    {
        var options = _server.Options();
        options.Password = "not-the-password";
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisConnection.ConnectAsync(options));
        Assert.Contains("WRONGPASS", ex.Message, StringComparison.Ordinal);
        Assert.IsType<RedisServerException>(ex.InnerException);
        Assert.DoesNotContain("not-the-password", ex.ToString(), StringComparison.Ordinal);

        // With abortConnect=false the connection is returned and commands report the same cause.
        options.AbortOnConnectFail = false;
        await using var lazy = await RedisConnection.ConnectAsync(options);
        var later = await Assert.ThrowsAsync<RedisConnectionException>(() => lazy.ExecuteAsync("PING", [], TimeSpan.FromMilliseconds(300)));
        Assert.Contains("WRONGPASS", later.Message, StringComparison.Ordinal);

        // Without a password the server answers NOAUTH.
        var noAuth = _server.Options();
        noAuth.Password = null;
        await using var anonymous = await RedisConnection.ConnectAsync(noAuth);
        var noAuthError = await Assert.ThrowsAsync<RedisServerException>(() => anonymous.ExecuteAsync("GET", "k"));
        Assert.Equal("NOAUTH", noAuthError.ErrorCode);
    }

    [Fact]
    public async Task Acl_user_and_password_and_default_database_and_client_name()
    {
        await using var db3 = await _server.ConnectAsync("user=default,defaultDatabase=3,name=stox-test");
        var key = Key("db");
        await db3.StringSetAsync(key, "in-3");
        Assert.Equal("in-3", await db3.StringGetAsync(key));
        Assert.Null(await _redis.StringGetAsync(key));
        Assert.Equal("stox-test", (await db3.ExecuteAsync("CLIENT", "GETNAME")).AsString());
    }

    [Fact]
    public async Task Unreachable_server_fails_fast_or_connects_in_the_background()
    {
        var closed = RedisConnectionOptions.Parse($"127.0.0.1:{_server.Port},password=x,connectTimeout=2000");
        closed.Port = FreePort();
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisConnection.ConnectAsync(closed));
        Assert.Contains(closed.EndPoint, ex.Message, StringComparison.Ordinal);

        closed.AbortOnConnectFail = false;
        await using var background = RedisConnection.Create(closed);
        Assert.False(background.IsConnected);
        await Assert.ThrowsAsync<RedisConnectionException>(() => background.ExecuteAsync("PING", [], TimeSpan.FromMilliseconds(200)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => background.ExecuteAsync("PING", [], Generous, cts.Token));

        var health = await new RedisHealthCheck(background, TimeSpan.FromMilliseconds(200)).CheckHealthAsync(
            new HealthCheckContext { Registration = new HealthCheckRegistration("cache", _ => null!, HealthStatus.Unhealthy, null) });
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
    }

    [Fact]
    public async Task Health_check_and_di_registration()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = _server.ConnectionString });
        builder.AddRedisClient("cache");
        using var host = builder.Build();
        var redis = host.Services.GetRequiredService<IRedisConnection>();
        Assert.Equal("PONG", (await redis.ExecuteAsync("PING")).AsString());

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["cache"].Status);
        await redis.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_fails_waiting_commands_and_refuses_new_ones()
    {
        var connection = await _server.ConnectAsync();
        var blocked = connection.ExecuteAsync("BLPOP", [Key("dispose"), 30], Generous);
        await connection.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => blocked.WaitAsync(Generous));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => connection.ExecuteAsync("PING"));
        await connection.DisposeAsync(); // idempotent
    }

    internal static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
