var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRabbitMQClient("messaging");
builder.AddS3Client("storage");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
