using System.ComponentModel.DataAnnotations;

namespace Stox.Jobs.Credits;

/// <summary>What credits cost and give (configuration section <c>Credits</c>), validated at start-up.</summary>
public sealed class CreditsOptions : IValidatableObject
{
    public const string SectionName = "Credits";

    /// <summary>Credits given at the start of each calendar month (UTC), by tier.</summary>
    public Dictionary<string, int> MonthlyGrants { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["free"] = 25,
        ["premium"] = 250,
        ["pro"] = 1000,
    };

    /// <summary>Credits one picture costs when <see cref="Costs"/> names neither its provider nor its model.</summary>
    [Range(0, 10_000)]
    public int CostPerImage { get; set; } = 1;

    /// <summary>Cost per picture by <c>provider</c> or <c>provider:model</c> (the more specific wins), e.g. <c>stability:ultra</c> = 8.</summary>
    public Dictionary<string, int> Costs { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Credit packs a payment can buy, by the pack name the checkout puts in its metadata.</summary>
    public Dictionary<string, int> Packs { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["starter"] = 100,
        ["studio"] = 500,
        ["agency"] = 2500,
    };

    public StripeOptions Stripe { get; set; } = new();

    public int MonthlyGrantOf(string tier) => MonthlyGrants.TryGetValue(tier, out var grant) ? grant : MonthlyGrants.GetValueOrDefault("free");

    public int CostOf(string provider, string model) =>
        Costs.TryGetValue($"{provider}:{model}", out var specific) ? specific
        : Costs.TryGetValue(provider, out var general) ? general
        : CostPerImage;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in MonthlyGrants.Concat(Costs).Where(e => e.Value < 0))
        {
            yield return new ValidationResult($"Credits: '{name}' is {value}; grants and costs cannot be negative.");
        }

        foreach (var (name, value) in Packs.Where(e => e.Value <= 0))
        {
            yield return new ValidationResult($"Credits:Packs:{name} is {value}; a pack must give at least one credit.");
        }

        if (Stripe.Tolerance < TimeSpan.FromSeconds(10) || Stripe.Tolerance > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult($"Credits:Stripe:Tolerance is {Stripe.Tolerance}; it must be from 10 seconds to 1 hour.");
        }
    }
}

/// <summary>Stripe's signed webhooks: <c>Credits:Stripe:WebhookSecret</c> is the endpoint's signing secret (<c>whsec_...</c>).</summary>
public sealed class StripeOptions
{
    /// <summary>Empty turns purchases off: the webhook answers 503.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How old a signed timestamp may be; older events are refused as replays (Stripe's libraries use 5 minutes).</summary>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);
}
