using Stox.Gateway.Health;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDownstreamHealthChecks("auth", "jobs", "frontend");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
