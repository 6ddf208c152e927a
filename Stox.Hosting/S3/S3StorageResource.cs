namespace Stox.Hosting;

/// <summary>
/// S3-compatible object storage with one bucket. Its connection string is the MinIO/RustFS community
/// format plus what S3 needs: <c>Endpoint=..;AccessKey=..;SecretKey=..;Region=..;Bucket=..</c>.
/// </summary>
public sealed class S3StorageResource : Resource, IResourceWithConnectionString
{
    public S3StorageResource(string name, string bucket, ParameterResource accessKey, ParameterResource secretKey) : base(name)
    {
        Bucket = bucket;
        AccessKeyParameter = accessKey;
        SecretKeyParameter = secretKey;
        Endpoints.Add(new EndpointAnnotation(this, "http", "http", targetPort: 9000) { Host = "127.0.0.1" });
    }

    public string Bucket { get; }

    public string Region { get; set; } = "us-east-1";

    public ParameterResource AccessKeyParameter { get; }

    public ParameterResource SecretKeyParameter { get; }

    public EndpointReference PrimaryEndpoint => GetEndpoint("http").Reference;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Endpoint={PrimaryEndpoint};AccessKey={AccessKeyParameter};SecretKey={SecretKeyParameter};Region={Region};Bucket={Bucket}");
}

public static class S3StorageBuilderExtensions
{
    public static IResourceBuilder<S3StorageResource> AddS3Storage(this IDistributedApplicationBuilder builder, string name, string bucket)
    {
        var accessKey = builder.AddParameter($"{name}-access-key", secret: true);
        var secretKey = builder.AddParameter($"{name}-secret-key", secret: true);
        return builder.AddResource(new S3StorageResource(name, bucket, accessKey.Resource, secretKey.Resource));
    }
}
