namespace Stox.Hosting;

/// <summary>How the AppHost runs the app model in run mode.</summary>
public sealed class DistributedApplicationOptions
{
    public string[] Args { get; set; } = [];

    /// <summary>Where the servers keep their data. A new temporary folder when null (deleted at exit unless persisted).</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Keeps the state folder, data and generated secrets between runs, like Aspire's persistent lifetime.</summary>
    public bool Persist { get; set; }

    /// <summary>Ignores fixed ports and gives every endpoint a free port (the testing builder does).</summary>
    public bool RandomizePorts { get; set; }

    public string EnvironmentName { get; set; } = "Development";

    /// <summary>The OTLP endpoint passed to every project as OTEL_EXPORTER_OTLP_ENDPOINT; none when null.</summary>
    public string? OtlpEndpoint { get; set; }

    public string OtlpProtocol { get; set; } = "grpc";

    public TimeSpan ResourceStartupTimeout { get; set; } = TimeSpan.FromSeconds(90);

    public TimeSpan ResourceStopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>When a resource dies, stop everything and exit non-zero (the command line does; tests do not).</summary>
    public bool StopOnResourceFailure { get; set; } = true;

    /// <summary>Runs the developer dashboard (and its OTLP receiver) beside the resources in run mode; the testing builder turns it off.</summary>
    public bool EnableDashboard { get; set; } = true;

    /// <summary>The dashboard's browser port (Aspire's 18888); a free port when taken or when ports are randomized.</summary>
    public int DashboardPort { get; set; } = 18888;

    /// <summary>The dashboard's OTLP/gRPC port, given to every project as OTEL_EXPORTER_OTLP_ENDPOINT unless <see cref="OtlpEndpoint"/> is set.</summary>
    public int DashboardOtlpGrpcPort { get; set; } = 18889;

    /// <summary>The dashboard's OTLP/HTTP port (http/protobuf on /v1/traces, /v1/logs, /v1/metrics).</summary>
    public int DashboardOtlpHttpPort { get; set; } = 18890;

    /// <summary>The browser token; a new random one each run when null.</summary>
    public string? DashboardToken { get; set; }

    /// <summary>How much telemetry the dashboard keeps (fixed-size rings) and the largest export it accepts.</summary>
    public Dashboard.Telemetry.TelemetryLimits DashboardTelemetryLimits { get; set; } = new();

    /// <summary>Where the resources' console output goes, besides the in-memory log; the console when null.</summary>
    public Action<Orchestration.LogLine>? LogSink { get; set; }
}
