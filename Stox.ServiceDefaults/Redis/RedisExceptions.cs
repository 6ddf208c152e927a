namespace Stox.ServiceDefaults.Redis;

/// <summary>Base type of every exception this Redis client throws for Redis reasons.</summary>
public class RedisException : Exception
{
    /// <inheritdoc />
    public RedisException()
    {
    }

    /// <inheritdoc />
    public RedisException(string message)
        : base(message)
    {
    }

    /// <inheritdoc />
    public RedisException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The server answered with an error reply; <see cref="Exception.Message"/> is Redis' own text.</summary>
public sealed class RedisServerException : RedisException
{
    /// <inheritdoc />
    public RedisServerException()
    {
    }

    /// <inheritdoc />
    public RedisServerException(string message)
        : base(message)
    {
    }

    /// <inheritdoc />
    public RedisServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The error code: the first word of the message when it is upper case (<c>ERR</c>, <c>WRONGTYPE</c>, <c>NOSCRIPT</c>, <c>WRONGPASS</c>...).</summary>
    public string ErrorCode
    {
        get
        {
            var space = Message.IndexOf(' ', StringComparison.Ordinal);
            var word = space < 0 ? Message : Message[..space];
            return word.Length > 0 && word.All(c => char.IsAsciiLetterUpper(c) || c == '_') ? word : "ERR";
        }
    }
}

/// <summary>
/// No usable connection: the server could not be reached or authenticated, the connection was lost while
/// the command was in flight, or the command waited for a reconnection longer than its timeout.
/// </summary>
public sealed class RedisConnectionException : RedisException
{
    /// <inheritdoc />
    public RedisConnectionException()
    {
    }

    /// <inheritdoc />
    public RedisConnectionException(string message)
        : base(message)
    {
    }

    /// <inheritdoc />
    public RedisConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A command got no reply within its timeout while the connection was up.</summary>
public sealed class RedisTimeoutException : RedisException
{
    /// <inheritdoc />
    public RedisTimeoutException()
    {
    }

    /// <inheritdoc />
    public RedisTimeoutException(string message)
        : base(message)
    {
    }

    /// <inheritdoc />
    public RedisTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The server sent bytes that are not valid RESP2; the connection is dropped and re-established.</summary>
public sealed class RedisProtocolException : RedisException
{
    /// <inheritdoc />
    public RedisProtocolException()
    {
    }

    /// <inheritdoc />
    public RedisProtocolException(string message)
        : base(message)
    {
    }

    /// <inheritdoc />
    public RedisProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
