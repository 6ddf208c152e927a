var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRabbitMQClient("messaging");
builder.AddS3Client("storage");
builder.AddRedisClient("cache");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
