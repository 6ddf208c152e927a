using Stox.AppHost;
using Stox.AppHost.LocalServers;
using Stox.AppHost.Publishing;

var builder = DistributedApplication.CreateBuilder(args);

// Run mode starts these as local processes; publish mode declares Aspire's own resources (LocalServers/StoxServers.cs).
var postgres = builder.AddPostgresServer("postgres");
var authDb = postgres.AddDatabase("authdb");
var jobsDb = postgres.AddDatabase("jobsdb");
var cache = builder.AddRedisServer("cache");
var messaging = builder.AddRabbitMQServer("messaging");
var storage = builder.AddS3Storage("storage", bucket: "images");

var auth = builder.AddProject<Projects.Stox_Auth>("auth")
    .WithReference(authDb).WaitFor(authDb)
    .WithReference(cache).WaitFor(cache)
    .WithHttpHealthCheck("/health");

var jobs = builder.AddProject<Projects.Stox_Jobs>("jobs")
    .WithReference(jobsDb).WaitFor(jobsDb)
    .WithReference(cache).WaitFor(cache)
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(storage).WaitFor(storage)
    .WithReference(auth)
    .WithGenerationProvider()
    .WithCreditPurchases()
    .WithHttpHealthCheck("/health");

auth.WithReference(jobs);

// glibc's per-thread malloc arenas keep freed libvips buffers: these settings cut the worker's peak memory
// (measured in Stox.Imaging/README.md).
builder.AddProject<Projects.Stox_Processing>("processing")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(storage).WaitFor(storage)
    .WithEnvironment("MALLOC_ARENA_MAX", "2")
    .WithEnvironment("MALLOC_MMAP_THRESHOLD_", "1048576")
    .WithReplicas(2)
    .WithHttpHealthCheck("/health");

var frontend = builder.AddProject<Projects.Stox_Frontend>("frontend")
    .WithReference(cache).WaitFor(cache)
    .WithReference(auth)
    .WithReference(jobs)
    .WithHttpHealthCheck("/health");

var gateway = builder.AddProject<Projects.Stox_Gateway>("gateway")
    .WithReference(cache).WaitFor(cache)
    .WithReference(auth)
    .WithReference(jobs)
    .WithReference(frontend)
    .WithExternalHttpEndpoints()
    // The edge sees each client's own address (rate limits, X-Forwarded-For), so no DCP proxy in front of it.
    // Its port is the model's, so Compose publishes the same one.
    .WithEndpoint("http", endpoint =>
    {
        endpoint.IsProxied = false;
        endpoint.Port = 5180;
    })
    .WithHttpHealthCheck("/health");

// The web app asks for pictures through the edge (http://gateway), so the per-user generation limit holds for it too.
// References both ways, as between auth and jobs; neither waits for the other.
frontend.WithReference(gateway);

builder.AddPromptHealthChecks();
builder.AddPromptProjectShutdown();
builder.AddStartupReport();
builder.AddComposeAndKubernetesPublishing();

builder.Build().Run();
