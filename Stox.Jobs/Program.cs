using Stox.Jobs.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<JobsDbContext>("jobsdb");
builder.AddRedisClient("cache");
builder.AddRabbitMQClient("messaging");
builder.AddS3Client("storage");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
