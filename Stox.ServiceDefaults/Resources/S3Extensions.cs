using System.Data.Common;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stox.ServiceDefaults.Resources;

namespace Microsoft.Extensions.Hosting;

/// <summary>Where objects go: the bucket named in the connection string.</summary>
public sealed record S3StorageSettings(string Bucket, Uri? Endpoint, string Region);

public static class S3Extensions
{
    /// <summary>
    /// Registers <see cref="IAmazonS3"/> and <see cref="S3StorageSettings"/> from <c>ConnectionStrings:{connectionName}</c>
    /// (<c>Endpoint=..;AccessKey=..;SecretKey=..;Region=..;Bucket=..</c>) plus a health check. Without an Endpoint it
    /// talks to AWS S3 in Region; with one (MinIO, the local server) it uses path-style addressing.
    /// </summary>
    public static IHostApplicationBuilder AddS3Client(this IHostApplicationBuilder builder, string connectionName)
    {
        var settings = ParseConnectionString(ConnectionStrings.Require(builder.Configuration, connectionName), connectionName, out var credentials);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<IAmazonS3>(_ => CreateClient(settings, credentials));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => new S3HealthCheck(sp.GetRequiredService<IAmazonS3>(), settings.Bucket),
            failureStatus: null,
            tags: null));
        return builder;
    }

    public static S3StorageSettings ParseConnectionString(string connectionString, string connectionName, out AWSCredentials? credentials)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string? Get(string key) => parts.TryGetValue(key, out var value) ? value?.ToString() : null;

        var bucket = Get("Bucket");
        if (string.IsNullOrWhiteSpace(bucket))
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} has no Bucket=.. part.");
        }

        var endpoint = Get("Endpoint") is { Length: > 0 } e ? new Uri(e) : null;
        var accessKey = Get("AccessKey");
        var secretKey = Get("SecretKey");
        // No keys: the SDK's default chain (environment, instance role) is used, as on AWS.
        credentials = accessKey is null || secretKey is null ? null : new BasicAWSCredentials(accessKey, secretKey);
        return new S3StorageSettings(bucket, endpoint, Get("Region") ?? "us-east-1");
    }

    public static AmazonS3Client CreateClient(S3StorageSettings settings, AWSCredentials? credentials)
    {
        var config = new AmazonS3Config
        {
            // Checksums only where S3 requires them: MinIO and the local server do not support the newer defaults.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.Endpoint is { } endpoint)
        {
            // AuthenticationRegion, not RegionEndpoint: setting RegionEndpoint discards ServiceURL.
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = settings.Region;
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        }

        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    private sealed class S3HealthCheck(IAmazonS3 s3, string bucket) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (AmazonServiceException ex)
            {
                return HealthCheckResult.Unhealthy($"S3 bucket '{bucket}' is not reachable: {ex.ErrorCode}.", ex);
            }
            catch (HttpRequestException ex)
            {
                return HealthCheckResult.Unhealthy("The S3 endpoint is not reachable.", ex);
            }
        }
    }
}
