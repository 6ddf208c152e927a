using Stox.Gateway.Health;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("cache");
builder.AddDownstreamHealthChecks("auth", "jobs", "frontend");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
