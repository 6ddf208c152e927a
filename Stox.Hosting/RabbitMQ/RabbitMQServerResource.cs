namespace Stox.Hosting;

/// <summary>A RabbitMQ broker (Aspire: RabbitMQServerResource).</summary>
public sealed class RabbitMQServerResource : Resource, IResourceWithConnectionString
{
    public RabbitMQServerResource(string name, ParameterResource password) : base(name)
    {
        PasswordParameter = password;
        Endpoints.Add(new EndpointAnnotation(this, "tcp", "tcp", targetPort: 5672) { Host = "127.0.0.1" });
    }

    public string UserName => "guest";

    public ParameterResource PasswordParameter { get; }

    /// <summary>The rabbitmq-server script; /usr/lib/rabbitmq/bin/rabbitmq-server when null (it does not switch user).</summary>
    public string? ExecutablePath { get; set; }

    public EndpointReference PrimaryEndpoint => GetEndpoint("tcp").Reference;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{PasswordParameter}@{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

public static class RabbitMQBuilderExtensions
{
    public static IResourceBuilder<RabbitMQServerResource> AddRabbitMQ(this IDistributedApplicationBuilder builder, string name)
    {
        var password = builder.AddParameter($"{name}-password", secret: true);
        return builder.AddResource(new RabbitMQServerResource(name, password.Resource));
    }
}
