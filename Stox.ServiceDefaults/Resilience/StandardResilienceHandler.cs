using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Stox.ServiceDefaults.Resilience;

public static class ResilienceExtensions
{
    /// <summary>
    /// The standard pipeline of Microsoft.Extensions.Http.Resilience (not available here), built on Polly:
    /// total timeout 30 s, 3 retries with exponential back-off and jitter, a circuit breaker, 10 s per attempt.
    /// Only idempotent requests are retried.
    /// </summary>
    public static IHttpClientBuilder AddStandardResilienceHandler(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(() => new StandardResilienceHandler(StandardResilienceHandler.SharedPipeline));
}

internal sealed class StandardResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    // One pipeline per process, so the circuit breaker sees all calls; it is thread-safe.
    internal static readonly ResiliencePipeline<HttpResponseMessage> SharedPipeline = Build();

    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("stox.request");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Handler.BaseSendAsync(state.Request, ctx.CancellationToken));
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (Handler: this, Request: request));
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private static ResiliencePipeline<HttpResponseMessage> Build()
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(IsTransient);

        return new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                ShouldHandle = args => ValueTask.FromResult(
                    IsIdempotent(args.Context) && (args.Outcome.Exception is HttpRequestException or TimeoutRejectedException
                        || (args.Outcome.Result is { } response && IsTransient(response)))),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.1,
                MinimumThroughput = 100,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(5),
                ShouldHandle = transient,
            })
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
    }

    private static bool IsIdempotent(ResilienceContext context) =>
        context.Properties.TryGetValue(RequestKey, out var request)
        && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
            || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete)
        && request.Content is null;

    private static bool IsTransient(HttpResponseMessage response) =>
        (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
}
