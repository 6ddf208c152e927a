using Stox.Gateway.Extensions;
using Stox.Gateway.Health;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Rate limits only: fail fast while Redis is away (the request goes through) rather than queue for the timeout.
builder.AddRedisClient("cache", configureOptions: redis =>
{
    redis.AbortOnConnectFail = false;
    redis.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
});
builder.AddDownstreamHealthChecks("auth", "jobs", "frontend");
builder.AddGateway();

var app = builder.Build();

app.UseGateway();
app.MapDefaultEndpoints();

app.Run();
