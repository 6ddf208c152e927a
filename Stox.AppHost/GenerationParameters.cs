using Aspire.Hosting.Publishing;

namespace Stox.AppHost;

/// <summary>
/// The AppHost parameters that turn on AI image generation and credit purchases. Each is optional: empty leaves
/// the feature off (the API answers 503 saying so), so <c>dotnet run</c> works without any of them.
/// </summary>
public static class GenerationParameters
{
    /// <summary>
    /// <c>generation-provider</c> (<c>stability</c>, <c>openai</c> or empty), <c>generation-endpoint</c> (empty: the
    /// provider's public API) and the secret <c>generation-api-key</c>, passed to the service that calls the provider.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGenerationProvider(this IResourceBuilder<ProjectResource> service)
    {
        var builder = service.ApplicationBuilder;
        var provider = builder.AddParameter("generation-provider", new EmptyDefault())
            .WithDescription("AI image provider: `stability`, `openai` (or any server that speaks OpenAI's Images API), or empty to turn generation off.", enableMarkdown: true);
        var endpoint = builder.AddParameter("generation-endpoint", new EmptyDefault())
            .WithDescription("Base URL of the provider's API; empty uses the provider's public one.");
        var apiKey = builder.AddParameter("generation-api-key", new EmptyDefault(), secret: true)
            .WithDescription("The provider's API key.");
        return service
            .WithEnvironment("Generation__Provider", provider)
            .WithEnvironment("Generation__Endpoint", endpoint)
            .WithEnvironment("Generation__ApiKey", apiKey);
    }

    /// <summary><c>stripe-webhook-secret</c>: the signing secret of Stripe's webhook endpoint; empty turns purchases off.</summary>
    public static IResourceBuilder<ProjectResource> WithCreditPurchases(this IResourceBuilder<ProjectResource> service)
    {
        var secret = service.ApplicationBuilder.AddParameter("stripe-webhook-secret", new EmptyDefault(), secret: true)
            .WithDescription("Signing secret (`whsec_...`) of the Stripe webhook that credits bought packs; empty turns purchases off.", enableMarkdown: true);
        return service.WithEnvironment("Credits__Stripe__WebhookSecret", secret);
    }

    /// <summary>An empty value unless one is configured, written to the manifest as the default so a deployment needs none.</summary>
    private sealed class EmptyDefault : ParameterDefault
    {
        public override string GetDefaultValue() => string.Empty;

        public override void WriteToManifest(ManifestPublishingContext context) => context.Writer.WriteString("value", string.Empty);
    }
}
