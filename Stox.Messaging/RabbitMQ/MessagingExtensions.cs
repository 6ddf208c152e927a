using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Stox.Messaging.RabbitMQ;

namespace Microsoft.Extensions.Hosting;

public static class MessagingExtensions
{
    /// <summary>
    /// Aspire's RabbitMQ client on <c>ConnectionStrings:{connectionName}</c> (<c>amqp://user:pass@host:port</c>): one
    /// <see cref="global::RabbitMQ.Client.IConnection"/> with automatic recovery, connect retries, a health check and the
    /// client's traces; plus Stox's message-handling spans (<see cref="MessageTracing.ActivitySourceName"/>).
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, string connectionName)
    {
        var clientName = builder.Environment.ApplicationName;
        builder.AddRabbitMQClient(connectionName, configureConnectionFactory: factory =>
        {
            factory.ClientProvidedName = clientName;
            // The client's default is 5 s; a broker restart should not hold the pipeline up that long.
            factory.NetworkRecoveryInterval = TimeSpan.FromSeconds(2);
        });
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(MessageTracing.ActivitySourceName));
        return builder;
    }
}
