using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stox.ServiceDefaults.Redis;

/// <summary>Healthy when Redis answers PING within a short timeout (2 s by default).</summary>
public sealed class RedisHealthCheck : IHealthCheck
{
    private readonly IRedisConnection _connection;
    private readonly TimeSpan _timeout;

    /// <summary>Creates the check.</summary>
    public RedisHealthCheck(IRedisConnection connection, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _timeout = timeout ?? TimeSpan.FromSeconds(2);
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await _connection.PingAsync(_timeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms");
        }
        catch (RedisException ex)
        {
            return new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, ex.Message, ex);
        }
        catch (ObjectDisposedException ex)
        {
            return new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, "The Redis connection was disposed.", ex);
        }
    }
}
