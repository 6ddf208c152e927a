using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.Tests.Generations;

namespace Stox.Tests.Infrastructure;

/// <summary>
/// The whole system, started once for every test in the "system" collection: every server, every service,
/// telemetry exported to a test OTLP receiver, image generation through a local OpenAI-compatible
/// <see cref="ProviderStandIn"/>, and Stripe purchases signed with <see cref="StripeWebhookSecret"/>.
/// </summary>
public sealed class StoxAppFixture : AppModelFixture
{
    /// <summary>Credits a new user gets in their first month here (the free tier's grant, made small for the tests).</summary>
    public const int FreeMonthlyGrant = 10;

    /// <summary>Times jobs asks the provider for one picture before it gives up (Generation:MaxAttempts).</summary>
    public const int ProviderAttempts = 3;

    /// <summary>
    /// <c>POST /api/generations</c> per user per window (Gateway:RateLimits:Generations; the window is the default
    /// minute). Above what any other test sends for one user in a window: 20 in the concurrency test, 16 from the
    /// shared <see cref="GetUserTokenAsync"/> user (the 422 and 400 cases), at most 3 elsewhere.
    /// </summary>
    public const int GenerationsPerWindow = 25;

    public const string StripeWebhookSecret = "whsec_system-tests-0123456789";

    public const string AdminEmail = "system-admin@stox.test";

    private const string Password = "a-long-enough-passphrase-1";

    private readonly SemaphoreSlim _userGate = new(1, 1);
    private string? _userToken;
    private string? _adminToken;

    public OtlpTestReceiver Telemetry { get; private set; } = null!;

    public ProviderStandIn Provider { get; private set; } = null!;

    protected override string[] Arguments =>
    [
        "--Parameters:generation-provider=openai",
        $"--Parameters:generation-endpoint={Provider.OpenAiBaseUrl}",
        $"--Parameters:generation-api-key={ProviderStandIn.DefaultApiKey}",
        $"--Parameters:stripe-webhook-secret={StripeWebhookSecret}",
    ];

    /// <summary>An access token of the administrator (the bootstrap email), registered on first use.</summary>
    public async Task<string> GetAdminTokenAsync()
    {
        await _userGate.WaitAsync();
        try
        {
            _adminToken ??= await RegisterAsync(AdminEmail);
            return _adminToken;
        }
        finally
        {
            _userGate.Release();
        }
    }

    /// <summary>An access token of one ordinary user, registered through the gateway on first use.</summary>
    public async Task<string> GetUserTokenAsync()
    {
        await _userGate.WaitAsync();
        try
        {
            _userToken ??= await RegisterAsync($"system-{Guid.NewGuid():N}@stox.test");
            return _userToken;
        }
        finally
        {
            _userGate.Release();
        }
    }

    public override async Task InitializeAsync()
    {
        Telemetry = await OtlpTestReceiver.StartAsync();
        Provider = await ProviderStandIn.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
        await Telemetry.DisposeAsync();
        _userGate.Dispose();
    }

    private async Task<string> RegisterAsync(string email)
    {
        using var gateway = App.CreateHttpClient("gateway");
        using var response = await gateway.PostAsJsonAsync("/api/auth/register", new { email, password = Password });
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Many tests sign up from the same address: the per-IP sign-up limits would refuse them.</summary>
    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        builder.Project("auth")
            .WithEnvironment("Auth__RateLimits__RegistrationsPerIp", "100000")
            .WithEnvironment("Auth__BootstrapAdminEmail", AdminEmail);
        builder.Project("gateway")
            .WithEnvironment("Gateway__RateLimits__Credentials", "100000")
            .WithEnvironment("Gateway__RateLimits__Generations", GenerationsPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Short deadlines and back-offs so the provider's failures play out in seconds.
        builder.Project("jobs")
            .WithEnvironment("Credits__MonthlyGrants__free", FreeMonthlyGrant.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Generation__RequestTimeout", "00:00:03")
            .WithEnvironment("Generation__MaxAttempts", ProviderAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Generation__RetryDelay", "00:00:00.200");
        builder.ExportTelemetryTo(Telemetry);
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<StoxAppFixture>
{
    public const string Name = "system";
}
