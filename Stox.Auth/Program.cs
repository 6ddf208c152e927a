using Stox.Auth.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<AuthDbContext>("authdb");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
