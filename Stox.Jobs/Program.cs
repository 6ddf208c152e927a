using Stox.Jobs.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddJobsServices();

var app = builder.Build();

await app.InitializeJobsAsync();
app.MapDefaultEndpoints();
app.MapJobsEndpoints();

await app.RunAsync();
