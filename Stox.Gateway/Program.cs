using Stox.Gateway.Extensions;
using Stox.Gateway.Health;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("cache");
builder.AddDownstreamHealthChecks("auth", "jobs", "frontend");
builder.AddGateway();

var app = builder.Build();

app.UseGateway();
app.MapDefaultEndpoints();

app.Run();
