using Stox.Processing.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMessaging("messaging");
builder.AddS3Client("storage");
builder.AddImageProcessing();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
