using Stox.Auth.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<AuthDbContext>("authdb");
builder.AddRedisClient("cache");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
