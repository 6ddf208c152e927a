using Stox.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres("postgres");
var authDb = postgres.AddDatabase("authdb");
var jobsDb = postgres.AddDatabase("jobsdb");
var cache = builder.AddRedis("cache");
var messaging = builder.AddRabbitMQ("messaging");
var storage = builder.AddS3Storage("storage", bucket: "images");

var auth = builder.AddProject<Projects.Stox_Auth>("auth")
    .WithReference(authDb).WaitFor(authDb)
    .WithReference(cache).WaitFor(cache);

var jobs = builder.AddProject<Projects.Stox_Jobs>("jobs")
    .WithReference(jobsDb).WaitFor(jobsDb)
    .WithReference(cache).WaitFor(cache)
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(storage).WaitFor(storage)
    .WithReference(auth);

auth.WithReference(jobs);

// glibc's per-thread malloc arenas keep freed libvips buffers: these settings cut the worker's peak memory
// (measured in Stox.Imaging/README.md).
builder.AddProject<Projects.Stox_Processing>("processing")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(storage).WaitFor(storage)
    .WithEnvironment("MALLOC_ARENA_MAX", "2")
    .WithEnvironment("MALLOC_MMAP_THRESHOLD_", "1048576")
    .WithReplicas(2);

var frontend = builder.AddProject<Projects.Stox_Frontend>("frontend")
    .WithReference(cache).WaitFor(cache)
    .WithReference(auth).WaitFor(auth)
    .WithReference(jobs).WaitFor(jobs);

builder.AddProject<Projects.Stox_Gateway>("gateway")
    .WithReference(cache).WaitFor(cache)
    .WithReference(auth).WaitFor(auth)
    .WithReference(jobs).WaitFor(jobs)
    .WithReference(frontend).WaitFor(frontend)
    .WithExternalHttpEndpoints()
    .WithHostPort("http", 5180);

builder.Build().Run();
