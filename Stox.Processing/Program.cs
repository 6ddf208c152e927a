using Stox.Processing.Extensions;
using Stox.ServiceDefaults.Telemetry;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMessaging("messaging");
builder.AddS3Client("storage");
// Transitional, until AddServiceDefaults runs on OpenTelemetry.Extensions.Hosting (issue 17, item 1), which exports
// the sources Aspire's integrations and AddMessaging register themselves: then delete this.
builder.Services.AddTelemetrySources(sources =>
{
    sources.ActivitySources.UnionWith(["RabbitMQ.Client.Publisher", "RabbitMQ.Client.Subscriber", Stox.Messaging.RabbitMQ.MessageTracing.ActivitySourceName]);
});
builder.AddImageProcessing();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
