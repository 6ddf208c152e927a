using System.Globalization;
using System.Text;

namespace Stox.ServiceDefaults.Redis;

/// <summary>
/// Settings for a <see cref="RedisConnection"/>, usually parsed from the Aspire / StackExchange.Redis
/// connection string format: <c>host:port,password=...,ssl=false,abortConnect=false,user=...,defaultDatabase=0,connectTimeout=5000</c>.
/// </summary>
public sealed class RedisConnectionOptions
{
    /// <summary>Redis' default port.</summary>
    public const int DefaultPort = 6379;

    /// <summary>Host name or IP address of the server.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>TCP port of the server.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>ACL user name (Redis 6+); null means AUTH with the password only (the <c>default</c> user).</summary>
    public string? User { get; set; }

    /// <summary>Password sent with AUTH on every (re)connect; never printed by <see cref="ToString"/>.</summary>
    public string? Password { get; set; }

    /// <summary>Use TLS (<c>ssl=true</c>).</summary>
    public bool Ssl { get; set; }

    /// <summary>Server name used to validate the TLS certificate (<c>sslHost=</c>); defaults to <see cref="Host"/>.</summary>
    public string? SslHost { get; set; }

    /// <summary>
    /// When true (the StackExchange.Redis default), <see cref="RedisConnection.ConnectAsync"/> throws if the first
    /// connection attempt fails. When false it returns at once and keeps connecting in the background.
    /// </summary>
    public bool AbortOnConnectFail { get; set; } = true;

    /// <summary>Database selected with SELECT on every (re)connect (<c>defaultDatabase=</c>).</summary>
    public int DefaultDatabase { get; set; }

    /// <summary>Name given with CLIENT SETNAME on every (re)connect (<c>name=</c>); null for none.</summary>
    public string? ClientName { get; set; }

    /// <summary>Time allowed for TCP connect, TLS and the AUTH/SELECT handshake (<c>connectTimeout=</c>, milliseconds).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Default time a command may take, including time queued while reconnecting (<c>asyncTimeout=</c> or <c>syncTimeout=</c>, milliseconds).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay between reconnection attempts; doubled after each failed attempt.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Largest delay between reconnection attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Parses a StackExchange.Redis-style connection string. Keys are case-insensitive; unknown keys are ignored.
    /// Exactly one endpoint is supported (no cluster, no sentinel, no replicas list).
    /// </summary>
    /// <exception cref="FormatException">The string is empty, has no or several endpoints, or a known key has a bad value.</exception>
    public static RedisConnectionOptions Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new FormatException("The Redis connection string is empty.");
        }

        var options = new RedisConnectionOptions();
        var endpointSeen = false;
        string? asyncTimeout = null;
        string? syncTimeout = null;

        foreach (var rawPart in connectionString.Split(','))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                if (endpointSeen)
                {
                    throw new FormatException($"The Redis connection string has more than one endpoint ('{part}'); only a single server is supported.");
                }

                ParseEndpoint(part, options);
                endpointSeen = true;
                continue;
            }

            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            switch (key.ToUpperInvariant())
            {
                case "PASSWORD":
                    options.Password = value.Length == 0 ? null : value;
                    break;
                case "USER":
                    options.User = value.Length == 0 ? null : value;
                    break;
                case "SSL":
                    options.Ssl = ParseBool(key, value);
                    break;
                case "SSLHOST":
                    options.SslHost = value.Length == 0 ? null : value;
                    break;
                case "ABORTCONNECT":
                    options.AbortOnConnectFail = ParseBool(key, value);
                    break;
                case "DEFAULTDATABASE":
                    options.DefaultDatabase = ParseInt(key, value, 0, 100_000);
                    break;
                case "NAME":
                    options.ClientName = value.Length == 0 ? null : value;
                    break;
                case "CONNECTTIMEOUT":
                    options.ConnectTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1, int.MaxValue));
                    break;
                case "ASYNCTIMEOUT":
                    asyncTimeout = value;
                    break;
                case "SYNCTIMEOUT":
                    syncTimeout = value;
                    break;
                default:
                    if (key.Length == 0)
                    {
                        throw new FormatException($"The Redis connection string has an option without a name ('{part}').");
                    }

                    break; // unknown keys are ignored, as StackExchange.Redis does for options it does not need
            }
        }

        if (!endpointSeen)
        {
            throw new FormatException("The Redis connection string has no endpoint (expected 'host:port').");
        }

        if (asyncTimeout is not null)
        {
            options.CommandTimeout = TimeSpan.FromMilliseconds(ParseInt("asyncTimeout", asyncTimeout, 1, int.MaxValue));
        }
        else if (syncTimeout is not null)
        {
            options.CommandTimeout = TimeSpan.FromMilliseconds(ParseInt("syncTimeout", syncTimeout, 1, int.MaxValue));
        }

        return options;
    }

    /// <summary>Parses like <see cref="Parse"/> but returns false instead of throwing.</summary>
    public static bool TryParse(string? connectionString, out RedisConnectionOptions? options)
    {
        try
        {
            options = connectionString is null ? null : Parse(connectionString);
            return options is not null;
        }
        catch (FormatException)
        {
            options = null;
            return false;
        }
    }

    /// <summary>A copy of these options.</summary>
    public RedisConnectionOptions Clone() => (RedisConnectionOptions)MemberwiseClone();

    /// <summary>The endpoint as <c>host:port</c>.</summary>
    public string EndPoint => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>A connection-string-like description with the password masked.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(EndPoint);
        if (User is not null)
        {
            sb.Append(",user=").Append(User);
        }

        if (Password is not null)
        {
            sb.Append(",password=*****");
        }

        sb.Append(",ssl=").Append(Ssl ? "true" : "false");
        sb.Append(",abortConnect=").Append(AbortOnConnectFail ? "true" : "false");
        sb.Append(",defaultDatabase=").Append(DefaultDatabase.ToString(CultureInfo.InvariantCulture));
        sb.Append(",connectTimeout=").Append(((long)ConnectTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        sb.Append(",asyncTimeout=").Append(((long)CommandTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        if (ClientName is not null)
        {
            sb.Append(",name=").Append(ClientName);
        }

        return sb.ToString();
    }

    private static void ParseEndpoint(string text, RedisConnectionOptions options)
    {
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"The Redis endpoint '{text}' has an unclosed '['.");
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    throw new FormatException($"The Redis endpoint '{text}' is not 'host:port'.");
                }

                port = rest[1..];
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw new FormatException($"The Redis endpoint '{text}' is ambiguous; write IPv6 addresses as [address]:port.");
            }

            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
        {
            throw new FormatException($"The Redis endpoint '{text}' has no valid host.");
        }

        options.Host = host;
        options.Port = port is null ? DefaultPort : ParseInt("port", port, 1, 65535);
    }

    private static bool ParseBool(string key, string value) =>
        bool.TryParse(value, out var b)
            ? b
            : throw new FormatException($"The Redis connection string option '{key}' must be true or false, not '{value}'.");

    private static int ParseInt(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"The Redis connection string option '{key}' must be a whole number from {min} to {max}, not '{value}'.");
}
