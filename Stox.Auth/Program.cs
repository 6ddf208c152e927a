using Stox.Auth.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAuthServices();

var app = builder.Build();

await app.InitializeAuthAsync();
app.MapDefaultEndpoints();
app.MapAuthEndpoints();

await app.RunAsync();
