using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Stox.Jobs.Generations.Providers;

public static class ImageProviderExtensions
{
    /// <summary>The HttpClient the providers use: no standard resilience handler, no HttpClient timeout (see <see cref="AddImageProvider"/>).</summary>
    public const string HttpClientName = "generation-provider";

    /// <summary>
    /// Registers <see cref="GenerationProviderOptions"/> (section <c>Generation</c>, validated at start), the
    /// <c>generation-provider</c> HttpClient, a <see cref="ProviderCatalog"/> and <see cref="IImageProvider"/>
    /// (resolves to null when generation is off: prefer <see cref="ProviderCatalog.IsEnabled"/>).
    /// </summary>
    public static IHostApplicationBuilder AddImageProvider(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GenerationProviderOptions>()
            .BindConfiguration(GenerationProviderOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GenerationProviderOptions>, GenerationProviderOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);

        // The service defaults put the standard resilience handler on every client: its 10 s attempt timeout would cut a
        // 60 s generation short and its retries would multiply ours. The provider's own pipeline owns retries and deadlines.
        // RemoveAllResilienceHandlers is marked experimental (EXTEXP0001) but is the documented way to opt one client out.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(HttpClientName)
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(_ => true);

        builder.Services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GenerationProviderOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>();
            var time = sp.GetRequiredService<TimeProvider>();
            IImageProvider? provider = options.ProviderName switch
            {
                "" => null,
                GenerationProviderOptions.Stability => new StabilityImageProvider(http, options, time, sp.GetRequiredService<ILogger<StabilityImageProvider>>()),
                GenerationProviderOptions.OpenAi => new OpenAiImageProvider(http, options, time, sp.GetRequiredService<ILogger<OpenAiImageProvider>>()),
                _ => throw new OptionsValidationException(GenerationProviderOptions.SectionName, typeof(GenerationProviderOptions),
                    [$"Generation:Provider '{options.Provider}' is not known."]),
            };
            return new ProviderCatalog(provider);
        });
        builder.Services.TryAddSingleton<IImageProvider>(sp => sp.GetRequiredService<ProviderCatalog>().Current!);
        return builder;
    }

    /// <summary>What the API validates at the edge; here it guards against a caller that did not.</summary>
    internal static void Check(ProviderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Prompt, nameof(request));
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Count, 1, nameof(request));
        if (!AspectRatios.IsSupported(request.AspectRatio))
        {
            throw new ArgumentException($"Aspect ratio '{request.AspectRatio}' is not one of {string.Join(", ", AspectRatios.All)}.", nameof(request));
        }

        if (request.Style is not null && !ImageStyles.IsSupported(request.Style))
        {
            throw new ArgumentException($"Style '{request.Style}' is not one of {string.Join(", ", ImageStyles.All)}.", nameof(request));
        }
    }

    /// <summary>So that a relative path extends the endpoint's path (https://api.openai.com/v1 + images/...) instead of replacing its last segment.</summary>
    internal static Uri WithTrailingSlash(Uri endpoint) =>
        endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
}
