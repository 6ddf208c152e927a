using Microsoft.Extensions.Hosting;
using Stox.Hosting;
using Stox.Hosting.Testing;

namespace Stox.Tests.Hosting;

/// <summary>The app model as the AppHost declares it, without starting anything.</summary>
public sealed class AppModelTests
{
    [Fact]
    public async Task The_AppHost_declares_the_resources_and_names_of_the_design()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();

        var names = builder.Resources.Where(r => r is not ParameterResource).Select(r => r.Name).Order();

        Assert.Equal(["auth", "authdb", "cache", "frontend", "gateway", "jobs", "jobsdb", "messaging", "postgres", "processing", "storage"], names);
        Assert.Equal("images", ((S3StorageResource)builder.GetResource("storage")).Bucket);
        Assert.Equal(2, ((ProjectResource)builder.GetResource("processing")).Replicas);
        Assert.True(((ProjectResource)builder.GetResource("gateway")).GetEndpoint("http").IsExternal);
        Assert.All(builder.Resources.OfType<ParameterResource>(), p => Assert.True(p.Secret));
    }

    [Fact]
    public async Task Connection_strings_are_binding_expressions_in_the_manifest()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();

        var jobsDb = (IResourceWithConnectionString)builder.GetResource("jobsdb");
        var cache = (IResourceWithConnectionString)builder.GetResource("cache");

        Assert.Equal(
            "{postgres.connectionString};Database=jobsdb",
            jobsDb.ConnectionStringExpression.ValueExpression);
        Assert.Equal(
            "Host={postgres.bindings.tcp.host};Port={postgres.bindings.tcp.port};Username=postgres;Password={postgres-password.value}",
            ((IResourceWithConnectionString)builder.GetResource("postgres")).ConnectionStringExpression.ValueExpression);
        Assert.Equal("{cache.bindings.tcp.host}:{cache.bindings.tcp.port},password={cache-password.value}", cache.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public async Task KeepOnly_keeps_what_a_resource_needs()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();

        builder.KeepOnly("authdb");

        Assert.Equal(["authdb", "postgres", "postgres-password"], builder.Resources.Select(r => r.Name).Order());
    }

    [Fact]
    public async Task Duplicate_and_invalid_names_are_refused()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();

        Assert.Throws<DistributedApplicationException>(() => builder.AddRedis("CACHE"));
        Assert.Throws<ArgumentException>(() => builder.AddRedis("bad name"));
    }

    [Theory]
    [InlineData("Endpoint=http://127.0.0.1:9000;AccessKey=a;SecretKey=b;Region=eu-west-1;Bucket=images", "images", "http://127.0.0.1:9000/", "eu-west-1")]
    [InlineData("Bucket=photos;Region=us-east-2", "photos", null, "us-east-2")]
    public void S3_connection_strings_parse(string connectionString, string bucket, string? endpoint, string region)
    {
        var settings = S3Extensions.ParseConnectionString(connectionString, "storage", out _);

        Assert.Equal(bucket, settings.Bucket);
        Assert.Equal(endpoint, settings.Endpoint?.ToString());
        Assert.Equal(region, settings.Region);
    }

    [Fact]
    public void An_S3_connection_string_without_a_bucket_says_so()
    {
        var error = Assert.Throws<InvalidOperationException>(() => S3Extensions.ParseConnectionString("Endpoint=http://x:1", "storage", out _));

        Assert.Contains("Bucket", error.Message, StringComparison.Ordinal);
    }
}
