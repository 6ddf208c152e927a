using System.Globalization;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Stox.Tests.Infrastructure;
using Stox.Tests.Jobs;

namespace Stox.Tests.Generations;

/// <summary>Credit packs bought through Stripe Checkout, as Stripe delivers them: a signed webhook, possibly more than once.</summary>
[Collection(SystemCollection.Name)]
public sealed class StripeWebhookTests(StoxAppFixture fixture)
{
    private const string Path = "/api/credits/webhooks/stripe";

    [Fact]
    public async Task A_paid_checkout_credits_its_pack_once_however_often_the_event_arrives()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var payload = CheckoutCompleted(user.UserId, "starter");

        using (var first = await SendAsync(payload, Sign(payload, DateTimeOffset.UtcNow)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("credited", (await GenerationClient.BodyAsync(first)).GetProperty("outcome").GetString());
        }

        using (var again = await SendAsync(payload, Sign(payload, DateTimeOffset.UtcNow)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal("alreadycredited", (await GenerationClient.BodyAsync(again)).GetProperty("outcome").GetString());
        }

        Assert.Equal(StoxAppFixture.FreeMonthlyGrant + 100, await user.BalanceAsync());
        var purchase = (await user.TransactionsAsync())[0];
        Assert.Equal("purchase", purchase.GetProperty("kind").GetString());
        Assert.Equal(100, purchase.GetProperty("amount").GetInt32());
        Assert.StartsWith("stripe:evt_", purchase.GetProperty("reference").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_replayed_and_unsigned_events_are_refused_and_change_nothing()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);
        var payload = CheckoutCompleted(user.UserId, "agency");

        using var forged = await SendAsync(payload, Sign(payload, DateTimeOffset.UtcNow, "whsec_someone-else"));
        using var replayed = await SendAsync(payload, Sign(payload, DateTimeOffset.UtcNow.AddMinutes(-6)));
        using var unsigned = await SendAsync(payload, signature: null);
        using var malformed = await SendAsync(payload, "v1=abc");
        var tampered = payload.Replace("agency", "studio", StringComparison.Ordinal);
        using var altered = await SendAsync(tampered, Sign(payload, DateTimeOffset.UtcNow));

        foreach (var response in new[] { forged, replayed, unsigned, malformed, altered })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("https://stox.dev/problems/invalid-signature", (await GenerationClient.BodyAsync(response)).GetProperty("type").GetString());
        }

        Assert.Contains("replayed", (await GenerationClient.BodyAsync(replayed)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(StoxAppFixture.FreeMonthlyGrant, await user.BalanceAsync());
    }

    [Fact]
    public async Task A_signed_event_for_an_unknown_pack_is_422_and_an_unpaid_checkout_is_ignored()
    {
        using var user = await ImagesClient.RegisterAsync(fixture.App);

        var unknown = CheckoutCompleted(user.UserId, "platinum");
        using var refused = await SendAsync(unknown, Sign(unknown, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("platinum", (await GenerationClient.BodyAsync(refused)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        var unpaid = CheckoutCompleted(user.UserId, "starter", paymentStatus: "unpaid");
        using var ignored = await SendAsync(unpaid, Sign(unpaid, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);
        Assert.Equal("ignored", (await GenerationClient.BodyAsync(ignored)).GetProperty("outcome").GetString());

        Assert.Equal(StoxAppFixture.FreeMonthlyGrant, await user.BalanceAsync());
    }

    private async Task<HttpResponseMessage> SendAsync(string payload, string? signature)
    {
        using var http = fixture.App.CreateHttpClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        }

        return await http.SendAsync(request);
    }

    /// <summary>Stripe's scheme, written here from its documentation: t=unix time, v1=hex HMAC-SHA256 of "{t}.{payload}".</summary>
    private static string Sign(string payload, DateTimeOffset at, string secret = StoxAppFixture.StripeWebhookSecret)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    private static string CheckoutCompleted(Guid userId, string pack, string paymentStatus = "paid") => JsonSerializer.Serialize(new
    {
        id = $"evt_{Guid.NewGuid():N}",
        @object = "event",
        type = "checkout.session.completed",
        data = new
        {
            @object = new
            {
                id = $"cs_test_{Guid.NewGuid():N}",
                @object = "checkout.session",
                client_reference_id = userId.ToString(),
                payment_status = paymentStatus,
                metadata = new { pack },
            },
        },
    });
}
