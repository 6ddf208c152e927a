using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Stox.ServiceDefaults.Telemetry;

namespace Stox.ServiceDefaults;

/// <summary>Puts the shared middleware first in every service's pipeline: telemetry, then errors as ProblemDetails.</summary>
internal sealed class ServiceDefaultsStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<RequestTelemetryMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        next(app);
    };
}
