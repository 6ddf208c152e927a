namespace Stox.Hosting;

/// <summary>A Redis server (Aspire: RedisResource).</summary>
public sealed class RedisResource : Resource, IResourceWithConnectionString
{
    public RedisResource(string name, ParameterResource password) : base(name)
    {
        PasswordParameter = password;
        Endpoints.Add(new EndpointAnnotation(this, "tcp", "tcp", targetPort: 6379) { Host = "127.0.0.1" });
    }

    public ParameterResource PasswordParameter { get; }

    public string? ExecutablePath { get; set; }

    public EndpointReference PrimaryEndpoint => GetEndpoint("tcp").Reference;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={PasswordParameter}");
}

public static class RedisBuilderExtensions
{
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name)
    {
        var password = builder.AddParameter($"{name}-password", secret: true);
        return builder.AddResource(new RedisResource(name, password.Resource));
    }
}
