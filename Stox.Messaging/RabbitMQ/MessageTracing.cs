using System.Diagnostics;
using System.Text;
using RabbitMQ.Client;

namespace Stox.Messaging.RabbitMQ;

/// <summary>
/// Carries the W3C trace context across the broker in the <c>traceparent</c>/<c>tracestate</c> headers, so
/// handling a message continues the publisher's trace. RabbitMQ.Client's own subscriber activity only links
/// to the publisher (a new trace id), and it injects headers only while something listens to its publisher
/// source; this works either way.
/// </summary>
public static class MessageTracing
{
    /// <summary>The activity source of message handling; exported by AddMessaging (MessagingExtensions).</summary>
    public const string ActivitySourceName = "Stox.Messaging";

    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Writes the current activity's context into the headers unless they already carry one.</summary>
    internal static void Inject(IDictionary<string, object?> headers)
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } current || headers.ContainsKey(TraceParent))
        {
            return;
        }

        headers[TraceParent] = current.Id;
        if (!string.IsNullOrEmpty(current.TraceStateString))
        {
            headers[TraceState] = current.TraceStateString;
        }
    }

    /// <summary>The trace context a message carries, or default when it has none.</summary>
    public static ActivityContext Extract(IReadOnlyBasicProperties properties)
    {
        var traceParent = ReadHeader(properties, TraceParent);
        return traceParent is not null && ActivityContext.TryParse(traceParent, ReadHeader(properties, TraceState), isRemote: true, out var context)
            ? context
            : default;
    }

    /// <summary>
    /// Starts the activity of handling one message as a child of the publisher's context. When nothing listens to
    /// <see cref="ActivitySourceName"/> a plain activity still carries the trace id into logs and into what the
    /// handler publishes.
    /// </summary>
    internal static Activity? StartProcessing(string queue, IReadOnlyBasicProperties properties)
    {
        var parent = Extract(properties);
        var name = $"process {queue}";
        var activity = Source.StartActivity(name, ActivityKind.Consumer, parent);
        if (activity is null && parent != default)
        {
            activity = new Activity(name).SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags);
            activity.TraceStateString = parent.TraceState;
            activity.Start();
        }

        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", queue);
        activity?.SetTag("messaging.message.id", properties.MessageId);
        return activity;
    }

    private static string? ReadHeader(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers?.TryGetValue(name, out var value) == true
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                string text => text,
                _ => null,
            }
            : null;
}
