using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stox.AppHost;

/// <summary>
/// Lets <c>WaitFor</c> end as soon as a resource is ready. Aspire checks a resource that is not healthy yet after
/// 1, 2, 3, 4 and then every 5 s, so a service listening 4 s after it started was seen at 6 s, one at 7 s at 10 s, and
/// every wait in a chain added its share (about 8 s of a 24 s start). Until a check first passes, each run of it
/// polls every 100 ms for up to <see cref="FirstPassWindow"/> before it reports unhealthy; after that it is Aspire's
/// ordinary check, so a resource that stops is reported as promptly as before.
/// </summary>
internal static class PromptHealthChecks
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FirstPassWindow = TimeSpan.FromSeconds(30);

    public static IDistributedApplicationBuilder AddPromptHealthChecks(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
            {
                foreach (var registration in options.Registrations)
                {
                    var check = registration.Factory;
                    var passed = new FirstPass();
                    registration.Factory = services => new PollUntilFirstPass(check(services), passed);
                }
            });
        }

        return builder;
    }

    private sealed class FirstPass
    {
        public volatile bool Seen;
    }

    private sealed class PollUntilFirstPass(IHealthCheck check, FirstPass passed) : IHealthCheck, IDisposable
    {
        public void Dispose() => (check as IDisposable)?.Dispose();

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var result = await check.CheckHealthAsync(context, cancellationToken);
            var deadline = DateTime.UtcNow + FirstPassWindow;
            while (!passed.Seen && result.Status != HealthStatus.Healthy && DateTime.UtcNow < deadline)
            {
                await Task.Delay(PollInterval, cancellationToken);
                result = await check.CheckHealthAsync(context, cancellationToken);
            }

            passed.Seen |= result.Status == HealthStatus.Healthy;
            return result;
        }
    }
}
