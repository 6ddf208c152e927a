using System.Reflection;

namespace Stox.Messaging.Contracts;

/// <summary>The versioned name a message travels under (AMQP <c>type</c>), e.g. <c>image-job-requested.v1</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class MessageTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    public static string Of<T>() => Of(typeof(T));

    public static string Of(Type type) =>
        type.GetCustomAttribute<MessageTypeAttribute>()?.Name
        ?? throw new InvalidOperationException($"{type.Name} has no [MessageType]: every message needs a stable, versioned name.");
}
