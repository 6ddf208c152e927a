using Microsoft.Extensions.Options;
using Stox.Imaging;
using Stox.Messaging.RabbitMQ;
using Stox.Processing.ImageJobs;
using Stox.Processing.Storage;

namespace Stox.Processing.Extensions;

internal static class ProcessingExtensions
{
    /// <summary>The image-job consumer with what it needs: options, the imaging engine, storage, publisher, metrics.</summary>
    public static IHostApplicationBuilder AddImageProcessing(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ProcessingOptions>()
            .Bind(builder.Configuration.GetSection(ProcessingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // A stopping replica finishes the job in hand (MessageConsumer waits for it) within this time; past it
        // the process exits and the broker gives the unacknowledged job to another replica.
        services.AddOptions<HostOptions>()
            .Configure<IOptions<ProcessingOptions>>((host, processing) => host.ShutdownTimeout = processing.Value.ShutdownTimeout);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(WorkerIdentity.From(builder.Configuration));
        services.AddSingleton(sp =>
        {
            // WebP effort 2 rather than the engine's 4 (Sharp's default), and 1 for the full-size original: the
            // default 10 variants of a 12 MP photo take about 1.0 s instead of 2.25 s (the original's WebP is most of
            // it) for 1-3 % more bytes, which is what keeps upload-to-complete near the 1.5 s target on 2 cores.
            // Encoder settings can be changed under Processing:Imaging.
            var imaging = new ImagingOptions
            {
                DefaultTimeout = sp.GetRequiredService<IOptions<ProcessingOptions>>().Value.JobTimeout,
                WebpEffort = 2,
                LargeWebpEffort = 1,
            };
            builder.Configuration.GetSection($"{ProcessingOptions.SectionName}:Imaging").Bind(imaging);
            return imaging;
        });
        // One engine per process (Processing:Imaging:Engine, vips or skia): libvips is initialised once, and both
        // engines are thread-safe.
        services.AddSingleton<IImageEngine>(sp => ImageEngines.Create(sp.GetRequiredService<ImagingOptions>()));
        services.AddSingleton<ImageStore>();
        services.AddSingleton<MessagePublisher>();
        services.AddSingleton<ProcessingMetrics>();
        services.AddHostedService<ImageJobConsumer>();
        return builder;
    }
}
