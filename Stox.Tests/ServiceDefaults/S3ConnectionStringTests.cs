using Microsoft.Extensions.Hosting;

namespace Stox.Tests.ServiceDefaults;

/// <summary>How a service reads the S3 connection string Aspire gives it.</summary>
public sealed class S3ConnectionStringTests
{
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
