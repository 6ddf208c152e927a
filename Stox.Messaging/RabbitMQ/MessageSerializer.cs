using System.Text.Json;
using Stox.Messaging.Contracts;

namespace Stox.Messaging.RabbitMQ;

internal static class MessageSerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] Serialize<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);

    /// <summary>Reads a message of the expected type; a body of another type or broken JSON is a permanent error.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> body, string? type)
    {
        var expected = MessageTypeAttribute.Of<T>();
        if (type != expected)
        {
            throw new InvalidMessageException($"Expected a '{expected}' message, got '{type ?? "(no type)"}'.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body.Span, Options) ?? throw new InvalidMessageException($"The '{expected}' message is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidMessageException($"The '{expected}' message is not valid JSON: {ex.Message}", ex);
        }
    }
}

public sealed class InvalidMessageException : Exception
{
    public InvalidMessageException(string message) : base(message)
    {
    }

    public InvalidMessageException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public InvalidMessageException()
    {
    }
}
