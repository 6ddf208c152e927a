using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Stox.Gateway;

/// <summary>The gateway's own metrics, exported with the service's OTLP stream (meter "Stox.Gateway").</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Stox.Gateway";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _rateLimited;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("stox.gateway.requests", "{request}", "Requests handled by the gateway, by route and status code.");
        _duration = meter.CreateHistogram<double>("stox.gateway.request.duration", "s", "Time from the request reaching the gateway to the response.");
        _rateLimited = meter.CreateCounter<long>("stox.gateway.rate_limited", "{request}", "Requests refused with 429, by route and policy.");
    }

    public void RequestHandled(string route, int statusCode, TimeSpan duration)
    {
        var tags = new TagList { { "route", route }, { "http.response.status_code", statusCode } };
        _requests.Add(1, tags);
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("route", route));
    }

    public void RateLimited(string route, string policy) =>
        _rateLimited.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("policy", policy));
}
