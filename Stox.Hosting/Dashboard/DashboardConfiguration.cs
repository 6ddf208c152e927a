using Microsoft.Extensions.Configuration;

namespace Stox.Hosting.Dashboard;

/// <summary>Reads the dashboard settings from configuration and starts the dashboard for an app.</summary>
internal static class DashboardConfiguration
{
    /// <summary>
    /// <c>AppHost:Dashboard:Enabled</c>, <c>:Port</c>, <c>:OtlpGrpcPort</c>, <c>:OtlpHttpPort</c>, <c>:Token</c>
    /// (command line <c>--AppHost:Dashboard:Enabled=false</c>, or environment <c>AppHost__Dashboard__Port=...</c>).
    /// </summary>
    public static void Apply(DistributedApplicationOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection("AppHost:Dashboard");
        options.EnableDashboard = section.GetValue("Enabled", options.EnableDashboard);
        options.DashboardPort = section.GetValue("Port", options.DashboardPort);
        options.DashboardOtlpGrpcPort = section.GetValue("OtlpGrpcPort", options.DashboardOtlpGrpcPort);
        options.DashboardOtlpHttpPort = section.GetValue("OtlpHttpPort", options.DashboardOtlpHttpPort);
        options.DashboardToken = section["Token"] ?? options.DashboardToken;
    }

    public static async Task<DashboardServer> StartAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var options = app.Options;
        var settings = new DashboardSettings
        {
            Port = options.RandomizePorts ? null : options.DashboardPort,
            OtlpGrpcPort = options.RandomizePorts ? null : options.DashboardOtlpGrpcPort,
            OtlpHttpPort = options.RandomizePorts ? null : options.DashboardOtlpHttpPort,
            Token = options.DashboardToken,
            Limits = options.DashboardTelemetryLimits,
        };
        var context = new DashboardContext(
            app.ResourceNotifications,
            app.ResourceLogs,
            app.ResourceEnvironments,
            (name, command, token) => command switch
            {
                "stop" => app.StopResourceAsync(name),
                "start" => app.StartResourceAsync(name, token),
                "restart" => app.RestartResourceAsync(name, token),
                _ => throw new ArgumentException($"Unknown command '{command}'.", nameof(command)),
            });
        var dashboard = await DashboardServer.StartAsync(settings, context, cancellationToken);

        // Telemetry goes to the dashboard unless an OTLP endpoint was configured explicitly.
        if (options.OtlpEndpoint is null)
        {
            options.OtlpEndpoint = options.OtlpProtocol.StartsWith("http", StringComparison.OrdinalIgnoreCase)
                ? dashboard.OtlpHttpEndpoint
                : dashboard.OtlpGrpcEndpoint;
        }

        return dashboard;
    }
}
