using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Stox.ServiceDefaults.Resources;
using Stox.ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

public static class RabbitMQExtensions
{
    /// <summary>
    /// Registers one RabbitMQ <see cref="IConnection"/> from <c>ConnectionStrings:{connectionName}</c>
    /// (<c>amqp://user:pass@host:port</c>) with automatic recovery, a health check and the client's
    /// traces (Aspire: AddRabbitMQClient). The first connect retries for about 30 s.
    /// </summary>
    public static IHostApplicationBuilder AddRabbitMQClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = ConnectionStrings.Require(builder.Configuration, connectionName);
        var clientName = builder.Environment.ApplicationName;
        builder.Services.AddSingleton<IConnectionFactory>(_ => new ConnectionFactory
        {
            Uri = new Uri(connectionString),
            ClientProvidedName = clientName,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
        });
        builder.Services.AddSingleton(sp => Connect(sp.GetRequiredService<IConnectionFactory>(), sp.GetRequiredService<ILogger<IConnection>>()));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => new RabbitMQHealthCheck(sp.GetRequiredService<IConnection>()),
            failureStatus: null,
            tags: null));
        builder.Services.AddTelemetrySources(sources =>
        {
            sources.ActivitySources.Add("RabbitMQ.Client.Publisher");
            sources.ActivitySources.Add("RabbitMQ.Client.Subscriber");
            // Stox.Messaging's handling spans, children of the publisher's trace (MessageTracing.ActivitySourceName).
            sources.ActivitySources.Add("Stox.Messaging");
        });
        return builder;
    }

    private static IConnection Connect(IConnectionFactory factory, ILogger logger)
    {
        var retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<BrokerUnreachableException>().Handle<System.Net.Sockets.SocketException>(),
                MaxRetryAttempts = 15,
                Delay = TimeSpan.FromSeconds(2),
                OnRetry = args =>
                {
                    logger.LogWarning("RabbitMQ is not reachable yet (attempt {Attempt}): {Message}", args.AttemptNumber + 1, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        // DI factories are synchronous; this runs once per process.
        return retry.ExecuteAsync(async ct => await factory.CreateConnectionAsync(ct)).AsTask().GetAwaiter().GetResult();
    }

    private sealed class RabbitMQHealthCheck(IConnection connection) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!connection.IsOpen)
            {
                return HealthCheckResult.Unhealthy("The connection to RabbitMQ is closed (recovering).");
            }

            try
            {
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is OperationInterruptedException or AlreadyClosedException or IOException)
            {
                return HealthCheckResult.Unhealthy("RabbitMQ refused a channel.", ex);
            }
        }
    }
}
