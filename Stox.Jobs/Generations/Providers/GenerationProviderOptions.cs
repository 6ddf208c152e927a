using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Stox.Jobs.Generations.Providers;

/// <summary>Which AI image provider generation uses (configuration section <c>Generation</c>), validated at start-up.</summary>
public sealed class GenerationProviderOptions
{
    public const string SectionName = "Generation";

    public const string Stability = "stability";
    public const string OpenAi = "openai";

    /// <summary><c>stability</c>, <c>openai</c> (also any OpenAI-compatible server), or empty: generation is off.</summary>
    public string? Provider { get; set; }

    /// <summary>Base address; null takes the provider's public one (<c>https://api.stability.ai</c>, <c>https://api.openai.com/v1</c>).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Secret: never logged, never in a message.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Null takes <c>core</c> (Stability) or <c>gpt-image-1</c> (OpenAI).</summary>
    public string? Model { get; set; }

    /// <summary>Deadline of one attempt, sending through reading the last byte of the answer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts per image, the first included.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Base of the exponential back-off (with jitter) when the provider does not say how long to wait.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest Retry-After honoured; a longer one is cut to this (and it caps the back-off too).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Provider);

    /// <summary>The provider name in lower case, or empty when off.</summary>
    public string ProviderName => Provider?.Trim().ToLowerInvariant() ?? "";

    public Uri GetEndpoint() => Endpoint ?? ProviderName switch
    {
        OpenAi => new Uri("https://api.openai.com/v1"),
        _ => new Uri("https://api.stability.ai"),
    };

    public string GetModel() => string.IsNullOrWhiteSpace(Model)
        ? ProviderName == OpenAi ? "gpt-image-1" : "core"
        : Model.Trim();
}

/// <summary>What DataAnnotations cannot say: a known provider, a key when enabled, a model Stability serves.</summary>
public sealed class GenerationProviderOptionsValidator : IValidateOptions<GenerationProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, GenerationProviderOptions options)
    {
        if (!options.IsEnabled)
        {
            return ValidateOptionsResult.Success;
        }

        List<string> failures = [];
        var provider = options.ProviderName;
        if (provider is not (GenerationProviderOptions.Stability or GenerationProviderOptions.OpenAi))
        {
            failures.Add($"Generation:Provider '{options.Provider}' is not known: use 'stability', 'openai' (or an OpenAI-compatible server), or leave it empty to turn generation off.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add($"Generation:ApiKey is required when Generation:Provider is '{options.Provider}'.");
        }

        if (options.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            failures.Add($"Generation:Endpoint '{endpoint}' must be an absolute http(s) address.");
        }

        if (provider == GenerationProviderOptions.Stability && !StabilityImageProvider.IsKnownModel(options.GetModel()))
        {
            failures.Add($"Generation:Model '{options.Model}' is not a Stability AI v2beta model: use 'core', 'ultra', 'sd3' or an sd3 variant such as 'sd3.5-large'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
