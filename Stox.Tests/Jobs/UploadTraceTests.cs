using System.Diagnostics;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.Jobs;

/// <summary>One trace follows an upload from the edge, through jobs and the broker, to the worker that processed it.</summary>
[Collection(SystemCollection.Name)]
public sealed class UploadTraceTests(StoxAppFixture fixture)
{
    [Fact]
    public async Task An_upload_is_one_trace_across_gateway_jobs_and_processing()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = ImagesClient.Form(("traced.jpg", ImagesClient.SmallJpeg)) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await user.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();

        var traceBytes = new byte[16];
        traceId.CopyTo(traceBytes);
        foreach (var service in new[] { "gateway", "jobs", "processing" })
        {
            await fixture.Telemetry.WaitForSpanFromServiceAsync(service, traceBytes, TimeSpan.FromSeconds(60));
        }
    }
}
