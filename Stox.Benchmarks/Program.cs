using Stox.Benchmarks.Auth;
using Stox.Benchmarks.Frontend;
using Stox.Benchmarks.Imaging;
using Stox.Benchmarks.Pipeline;

// Benchmarks run as `dotnet run -c Release --project Stox.Benchmarks -- <suite> [options]`; each suite lives in its own folder.
return args.FirstOrDefault() switch
{
    "imaging" => await ImagingBenchmark.RunAsync(args[1..]),
    "auth" => await AuthBenchmark.RunAsync(args[1..]),
    "frontend" => await FrontendBenchmark.RunAsync(args[1..]),
    "pipeline" => await PipelineBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project Stox.Benchmarks -- <suite> [options]");
    Console.Error.WriteLine("suites: imaging, auth, frontend, pipeline");
    return 2;
}
