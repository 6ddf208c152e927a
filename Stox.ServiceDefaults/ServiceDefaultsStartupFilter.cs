using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Stox.ServiceDefaults;

/// <summary>Puts the shared middleware first in every service's pipeline: errors as ProblemDetails.</summary>
internal sealed class ServiceDefaultsStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        next(app);
    };
}
