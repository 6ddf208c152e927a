using System.Globalization;
using System.Net;
using System.Text.Json;
using Amazon.S3.Model;
using Microsoft.Extensions.Hosting;
using Npgsql;
using RabbitMQ.Client;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.AppHost;

/// <summary>The whole system in run mode: resources healthy, Aspire's contracts kept, services wired.</summary>
[Collection(SystemCollection.Name)]
public sealed class RunModeTests(StoxAppFixture fixture)
{
    private static readonly string[] Services = ["gateway", "auth", "jobs", "processing", "frontend"];

    private DistributedApplication App => fixture.App;

    [Fact]
    public void Every_resource_is_running_and_healthy()
    {
        string[] expected = ["postgres", "authdb", "jobsdb", "cache", "messaging", "storage", .. Services];
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();

        Assert.Equal(expected.Order(), model.Resources.Where(TestingBuilderExtensions.StartsWithTheApp).Select(r => r.Name).Order());
        Assert.Equal(2, App.Instances("processing").Count);
        Assert.All(expected.SelectMany(App.Instances), instance =>
        {
            var snapshot = App.Snapshot(instance);
            Assert.Equal(KnownResourceStates.Running, snapshot.State?.Text);
            Assert.Equal(HealthStatus.Healthy, snapshot.HealthStatus);
        });
    }

    [Theory]
    [InlineData("postgres", "PostgreSQL")]
    [InlineData("cache", "Redis")]
    [InlineData("messaging", "RabbitMQ")]
    [InlineData("storage", "S3")]
    [InlineData("gateway", "Project")]
    public void The_dashboard_shows_each_server_as_its_own_type(string resource, string type) =>
        Assert.Equal(type, App.Snapshot(Assert.Single(App.Instances(resource))).ResourceType);

    [Theory]
    [InlineData("authdb")]
    [InlineData("jobsdb")]
    public void Databases_sit_under_their_server_in_the_dashboard(string database)
    {
        var snapshot = App.Snapshot(Assert.Single(App.Instances(database)));

        Assert.Equal("PostgresDatabase", snapshot.ResourceType);
        Assert.Contains(snapshot.Relationships, r => r.Type == "Parent" && r.ResourceName == "postgres");
    }

    [Theory]
    // Aspire's client integrations name their checks after the client (StackExchange.Redis, RabbitMQ.Client) or the
    // DbContext; S3 and the downstream checks are ours and carry the resource's name.
    [InlineData("gateway", new[] { "StackExchange.Redis", "downstream-auth", "downstream-jobs", "downstream-frontend" })]
    [InlineData("auth", new[] { "AuthDbContext", "StackExchange.Redis" })]
    [InlineData("jobs", new[] { "JobsDbContext", "StackExchange.Redis", "RabbitMQ.Client", "storage" })]
    [InlineData("processing", new[] { "RabbitMQ.Client", "storage" })]
    [InlineData("frontend", new string[0])]
    public async Task Each_service_reports_its_resources_healthy_on_health(string service, string[] checks)
    {
        using var client = App.CreateHttpClient(service);

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var reported = body.GetProperty("checks").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("status").GetString());
        Assert.All(checks, check => Assert.Equal("Healthy", reported.GetValueOrDefault(check)));
    }

    [Fact]
    public async Task Alive_runs_only_the_liveness_checks()
    {
        using var client = App.CreateHttpClient("jobs");

        var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("/alive", UriKind.Relative))).RootElement;

        Assert.Equal(["self"], body.GetProperty("checks").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Errors_are_ProblemDetails()
    {
        using var client = App.CreateHttpClient("jobs");

        using var response = await client.GetAsync(new Uri("/no-such-route", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Replicas_of_processing_share_one_proxied_url_and_each_is_healthy_on_its_own_port()
    {
        var instances = App.Instances("processing");

        Assert.Equal(2, instances.Count);
        var targets = new HashSet<int>();
        foreach (var instance in instances)
        {
            var environment = ReadEnvironment(App.ProcessId(instance));
            var own = new Uri(environment["ASPNETCORE_URLS"].Split(';')[0]);
            targets.Add(own.Port);
            using var client = new HttpClient();
            using var response = await client.GetAsync(new Uri(own, "/health"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, targets.Count);
        using var shared = App.CreateHttpClient("processing");
        using var proxied = await shared.GetAsync(new Uri("/alive", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
    }

    [Fact]
    public async Task Gateway_reaches_other_services_through_service_discovery()
    {
        using var client = App.CreateHttpClient("gateway");

        var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("/health", UriKind.Relative))).RootElement;

        // These checks call http://auth/alive etc., resolved from services__auth__http__0.
        var checks = body.GetProperty("checks");
        Assert.Equal("auth is reachable.", checks.GetProperty("downstream-auth").GetProperty("description").GetString());
        Assert.Equal("jobs is reachable.", checks.GetProperty("downstream-jobs").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Projects_receive_exactly_the_Aspire_environment()
    {
        var auth = ReadEnvironment(App.ProcessId(App.Instances("auth")[0]));
        var jobsUrl = App.GetEndpoint("jobs").ToString().TrimEnd('/');
        var authUrl = App.GetEndpoint("auth").ToString().TrimEnd('/');

        Assert.Equal(await App.GetConnectionStringAsync("authdb"), auth["ConnectionStrings__authdb"]);
        Assert.Equal(await App.GetConnectionStringAsync("cache"), auth["ConnectionStrings__cache"]);
        Assert.Equal(jobsUrl, auth["services__jobs__http__0"]);
        Assert.Matches("^http://localhost:\\d+$", auth["ASPNETCORE_URLS"]);
        Assert.Equal("Development", auth["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("auth", auth["OTEL_SERVICE_NAME"]);
        Assert.Equal($"service.instance.id={App.Instances("auth")[0]["auth-".Length..]}", auth["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.Equal(fixture.Telemetry.Endpoint, auth["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", auth["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("1000", auth["OTEL_BSP_SCHEDULE_DELAY"]);
        Assert.Equal("1000", auth["OTEL_BLRP_SCHEDULE_DELAY"]);
        Assert.Equal("1000", auth["OTEL_METRIC_EXPORT_INTERVAL"]);
        Assert.False(auth.ContainsKey("ConnectionStrings__jobsdb"), "auth must not receive what it does not reference");

        var gateway = ReadEnvironment(App.ProcessId(App.Instances("gateway")[0]));
        Assert.Equal(authUrl, gateway["services__auth__http__0"]);
        Assert.Equal(App.GetEndpoint("frontend").ToString().TrimEnd('/'), gateway["services__frontend__http__0"]);

        // The gateway's port is free in tests, not 5180: the frontend finds it through service discovery.
        var frontend = ReadEnvironment(App.ProcessId(App.Instances("frontend")[0]));
        Assert.Equal(App.GetEndpoint("gateway").ToString().TrimEnd('/'), frontend["services__gateway__http__0"]);
    }

    [Fact]
    public async Task Connection_strings_have_Aspire_formats_and_work()
    {
        var jobsDb = await App.GetConnectionStringAsync("jobsdb");
        Assert.Matches("^Host=localhost;Port=\\d+;Username=postgres;Password=[^;]{22};Database=jobsdb$", jobsDb);
        await using (var connection = new NpgsqlConnection(jobsDb))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_database()", connection);
            Assert.Equal("jobsdb", await command.ExecuteScalarAsync());
        }

        Assert.Matches("^localhost:\\d+,password=[A-Za-z0-9]{22}$", await App.GetConnectionStringAsync("cache"));

        var messaging = await App.GetConnectionStringAsync("messaging");
        Assert.Matches("^amqp://guest:[A-Za-z0-9]{22}@localhost:\\d+$", messaging);
        await using (var connection = await new ConnectionFactory { Uri = new Uri(messaging!) }.CreateConnectionAsync())
        {
            Assert.True(connection.IsOpen);
        }

        var storage = await App.GetConnectionStringAsync("storage");
        Assert.Matches("^Endpoint=http://localhost:\\d+;AccessKey=\\w+;SecretKey=\\w+;Region=us-east-1;Bucket=images$", storage);
        var settings = S3Extensions.ParseConnectionString(storage!, "storage", out var credentials);
        using var s3 = S3Extensions.CreateClient(settings, credentials);
        var key = $"tests/{Guid.NewGuid():N}.txt";
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = settings.Bucket, Key = key, ContentBody = "hello" });
        using var read = await s3.GetObjectAsync(settings.Bucket, key);
        Assert.Equal("hello", await new StreamReader(read.ResponseStream).ReadToEndAsync());
        await s3.DeleteObjectAsync(settings.Bucket, key);
    }

    [Fact]
    public async Task Telemetry_reaches_the_configured_OTLP_endpoint()
    {
        using (var frontend = App.CreateHttpClient("frontend"))
        {
            await frontend.GetStringAsync(new Uri("/", UriKind.Relative));
        }

        var timeout = TimeSpan.FromSeconds(30);
        await fixture.Telemetry.WaitForExportAsync("traces", timeout, "frontend");
        await fixture.Telemetry.WaitForExportAsync("traces", timeout, "GET /");
        foreach (var service in Services)
        {
            await fixture.Telemetry.WaitForExportAsync("metrics", timeout, service);
            await fixture.Telemetry.WaitForExportAsync("logs", timeout, service);
        }

        // Health probes stay out of traces.
        Assert.False(fixture.Telemetry.HasExport("traces", "/health"));
    }

    private static Dictionary<string, string> ReadEnvironment(int pid) =>
        File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ")
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
}
