using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Stox.Tests.Infrastructure;

/// <summary>
/// The whole system, started once for every test in the "system" collection: every server, every service,
/// telemetry exported to a test OTLP receiver.
/// </summary>
public sealed class StoxAppFixture : AppModelFixture
{
    private readonly SemaphoreSlim _userGate = new(1, 1);
    private string? _userToken;

    public OtlpTestReceiver Telemetry { get; private set; } = null!;

    /// <summary>An access token of one ordinary user, registered through the gateway on first use.</summary>
    public async Task<string> GetUserTokenAsync()
    {
        await _userGate.WaitAsync();
        try
        {
            if (_userToken is null)
            {
                using var gateway = App.CreateHttpClient("gateway");
                using var response = await gateway.PostAsJsonAsync(
                    "/api/auth/register",
                    new { email = $"system-{Guid.NewGuid():N}@stox.test", password = "a-long-enough-passphrase-1" });
                response.EnsureSuccessStatusCode();
                _userToken = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString();
            }

            return _userToken!;
        }
        finally
        {
            _userGate.Release();
        }
    }

    public override async Task InitializeAsync()
    {
        Telemetry = await OtlpTestReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Telemetry.DisposeAsync();
        _userGate.Dispose();
    }

    /// <summary>Many tests sign up from the same address: the per-IP sign-up limits would refuse them.</summary>
    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        builder.Project("auth").WithEnvironment("Auth__RateLimits__RegistrationsPerIp", "100000");
        builder.Project("gateway").WithEnvironment("Gateway__RateLimits__Credentials", "100000");
        builder.ExportTelemetryTo(Telemetry);
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<StoxAppFixture>
{
    public const string Name = "system";
}
