using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Stox.AppHost.LocalServers;
using Stox.Tests.Infrastructure;

namespace Stox.Tests.AppHost;

/// <summary>The app model as the AppHost declares it, without starting anything.</summary>
public sealed class AppModelTests
{
    [Fact]
    public async Task Run_mode_declares_the_design_names_as_local_server_resources()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();
        var resources = builder.Resources.Where(TestingBuilderExtensions.StartsWithTheApp).ToDictionary(r => r.Name);

        Assert.Equal(["auth", "authdb", "cache", "frontend", "gateway", "jobs", "jobsdb", "messaging", "postgres", "processing", "storage"], resources.Keys.Order());
        Assert.IsType<LocalPostgresResource>(resources["postgres"]);
        Assert.Same(resources["postgres"], Assert.IsType<LocalPostgresDatabaseResource>(resources["authdb"]).Parent);
        Assert.IsType<LocalRedisResource>(resources["cache"]);
        Assert.IsType<LocalRabbitMQResource>(resources["messaging"]);
        Assert.Equal("images", Assert.IsType<LocalS3Resource>(resources["storage"]).Bucket);
        Assert.All(resources.Values.OfType<ExecutableResource>(), r => Assert.IsAssignableFrom<IResourceWithConnectionString>(r));
        Assert.Equal(2, resources["processing"].Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        Assert.True(resources["gateway"].Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http").IsExternal);
    }

    [Fact]
    public async Task Local_servers_offer_the_connection_properties_of_Aspire_resources()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();
        IEnumerable<string> Properties(string name) =>
            ((IResourceWithConnectionString)builder.Resources.Single(r => r.Name == name)).GetConnectionProperties().Select(p => p.Key).Order();

        Assert.Equal(["Host", "JdbcConnectionString", "Password", "Port", "Uri", "Username"], Properties("postgres"));
        Assert.Equal(["DatabaseName", "Host", "JdbcConnectionString", "Password", "Port", "Uri", "Username"], Properties("jobsdb"));
        Assert.Equal(["Host", "Password", "Port", "Uri"], Properties("cache"));
        Assert.Equal(["Host", "Password", "Port", "Uri", "Username"], Properties("messaging"));
        Assert.Equal(["AccessKey", "Bucket", "Endpoint", "Host", "Port", "Region", "SecretKey"], Properties("storage"));
    }

    [Fact]
    public async Task KeepOnly_keeps_what_a_resource_needs()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();

        builder.KeepOnly("auth");

        Assert.Equal(["auth", "authdb", "cache", "jobs", "jobsdb", "messaging", "postgres", "storage"], builder.Resources.Where(TestingBuilderExtensions.StartsWithTheApp).Select(r => r.Name).Order());
    }

    [Fact]
    public async Task KeepOnly_follows_the_reference_cycle_between_the_frontend_and_the_gateway()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();

        builder.KeepOnly("frontend");

        // The frontend asks for pictures through the gateway, which routes to auth, jobs and back to the frontend.
        Assert.Equal(["auth", "authdb", "cache", "frontend", "gateway", "jobs", "jobsdb", "messaging", "postgres", "storage"], builder.Resources.Where(TestingBuilderExtensions.StartsWithTheApp).Select(r => r.Name).Order());
    }
}
