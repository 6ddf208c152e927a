namespace Stox.Processing.ImageJobs;

/// <summary>Who did a job, as reported in its events: <c>{machine}/{service.instance.id}</c>, or the pid outside an orchestrator.</summary>
public sealed record WorkerIdentity(string Name)
{
    public static WorkerIdentity From(IConfiguration configuration)
    {
        var instance = (configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? string.Empty)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0] == "service.instance.id" && pair[1].Length > 0)
            .Select(pair => pair[1])
            .FirstOrDefault();
        return new WorkerIdentity($"{Environment.MachineName}/{instance ?? Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }
}
