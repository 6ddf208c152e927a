using Microsoft.EntityFrameworkCore;
using Stox.Imaging;
using Stox.Jobs.Apis;
using Stox.Jobs.Credits;
using Stox.Jobs.Data;
using Stox.Jobs.Delivery;
using Stox.Jobs.Generations;
using Stox.Jobs.Generations.Providers;
using Stox.Jobs.Images;
using Stox.Jobs.Infrastructure;
using Stox.Jobs.Live;
using Stox.Jobs.Maintenance;
using Stox.Jobs.Outbox;
using Stox.Jobs.Uploads;
using Stox.Messaging.RabbitMQ;

namespace Stox.Jobs.Extensions;

public static class JobsServiceExtensions
{
    /// <summary>Everything the jobs service needs beyond the service defaults.</summary>
    public static IHostApplicationBuilder AddJobsServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<JobsDbContext>("jobsdb");
        // Connects in the background and reconnects by itself: start-up does not wait for Redis, a restart is survived.
        builder.AddRedisClient("cache", configureOptions: redis => redis.AbortOnConnectFail = false);
        builder.AddMessaging("messaging");
        builder.AddS3Client("storage");
        builder.AddStoxJwtAuthentication();

        builder.Services.AddOptions<JobsOptions>()
            .BindConfiguration(JobsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);

        // Jobs only reads headers (type and pixel count) with the engine; processing does the decoding.
        builder.Services.AddSingleton<IImageEngine>(sp => new VipsImageEngine(new ImagingOptions
        {
            MaxPixels = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobsOptions>>().Value.MaxPixels,
        }));
        builder.Services.AddSingleton<UploadInspector>();
        builder.Services.AddSingleton<OriginalStore>();
        builder.Services.AddSingleton<DeliveryUrls>();
        builder.Services.AddSingleton<StorageCleanup>();
        builder.Services.AddSingleton<ImageEventBroadcaster>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<StorageDeletionSignal>();
        builder.Services.AddSingleton<MessagePublisher>();
        builder.Services.AddScoped<UploadService>();
        builder.Services.AddScoped<PresignedUploadService>();
        builder.Services.AddScoped<IdempotencyStore>();
        builder.Services.AddScoped<ImageCommands>();

        builder.Services.AddOptions<CreditsOptions>()
            .BindConfiguration(CreditsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<CreditLedger>();
        builder.Services.AddScoped<CreditPurchases>();
        builder.AddImageProvider();
        builder.Services.AddScoped<GenerationService>();
        builder.Services.AddScoped<GenerationRunner>();
        builder.Services.AddScoped<StuckGenerations>();
        builder.Services.AddHostedService<GenerationConsumer>();

        builder.Services.AddHostedService<OutboxDispatcher>();
        builder.Services.AddSingleton<JobsMaintenance>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobsMaintenance>());
        builder.Services.AddJobEventConsumers();

        builder.TrustForwardedHeadersFrom(
            builder.Configuration.GetSection($"{JobsOptions.SectionName}:{nameof(JobsOptions.KnownProxyNetworks)}").Get<string[]>() ?? []);
        return builder;
    }

    /// <summary>Applies the migrations before the service takes requests.</summary>
    public static async Task InitializeJobsAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Database.MigrateAsync(cancellationToken);
    }

    public static WebApplication MapJobsEndpoints(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapImagesApi();
        app.MapGenerationsApi();
        app.MapCreditsApi();
        app.MapUsageApi();
        return app;
    }
}
