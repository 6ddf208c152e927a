using System.Diagnostics.CodeAnalysis;

namespace Stox.Hosting.Publishing;

/// <summary>
/// How each server of the app model runs as a container when deployed: image, environment and arguments
/// as Aspire 9.5's hosting integrations write them, where it keeps its data, and how to tell it is up.
/// Run mode starts the same servers from Debian's packages instead; the connection strings are the same
/// expressions in both modes.
/// </summary>
public static class ServerContainers
{
    // The tags Aspire.Hosting.* 9.5 pins (PostgresContainerImageTags, RedisContainerImageTags, RabbitMQContainerImageTags).
    public const string PostgresImage = "docker.io/library/postgres:17.6";
    public const string RedisImage = "docker.io/library/redis:8.2";
    public const string RabbitMQImage = "docker.io/library/rabbitmq:4.1";

    // MinIO publishes no new community images since late 2025; this is the last widely mirrored release.
    // Any S3-compatible server that takes MINIO_ROOT_USER/MINIO_ROOT_PASSWORD (or managed S3) can replace it.
    public const string MinioImage = "docker.io/minio/minio:RELEASE.2025-04-22T22-12-26Z";

    public static bool TryCreate(Resource resource, [NotNullWhen(true)] out ServerSpec? spec)
    {
        spec = resource switch
        {
            PostgresServerResource postgres => Postgres(postgres),
            RedisResource redis => Redis(redis),
            RabbitMQServerResource rabbit => RabbitMQ(rabbit),
            S3StorageResource storage => Minio(storage),
            _ => null,
        };
        return spec is not null;
    }

    private static ServerSpec Postgres(PostgresServerResource postgres) => new(
        postgres.Name,
        PostgresImage,
        Entrypoint: null,
        Args: [],
        Environment:
        [
            new("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256"),
            new("POSTGRES_INITDB_ARGS", "--auth-host=scram-sha-256 --auth-local=scram-sha-256"),
            new("POSTGRES_USER", postgres.UserName),
            new("POSTGRES_PASSWORD", postgres.PasswordParameter.ValueExpression),
        ],
        Endpoints(postgres),
        postgres.ConnectionStringExpression.ValueExpression,
        DataPath: "/var/lib/postgresql/data",
        HealthCommand: $"pg_isready -U {postgres.UserName} -h 127.0.0.1");

    private static ServerSpec Redis(RedisResource redis) => new(
        redis.Name,
        RedisImage,
        Entrypoint: "/bin/sh",
        Args: ["-c", "redis-server --requirepass $REDIS_PASSWORD"],
        Environment: [new("REDIS_PASSWORD", redis.PasswordParameter.ValueExpression)],
        Endpoints(redis),
        redis.ConnectionStringExpression.ValueExpression,
        DataPath: "/data",
        HealthCommand: "redis-cli -a \"$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG");

    private static ServerSpec RabbitMQ(RabbitMQServerResource rabbit) => new(
        rabbit.Name,
        RabbitMQImage,
        Entrypoint: null,
        Args: [],
        Environment:
        [
            new("RABBITMQ_DEFAULT_USER", rabbit.UserName),
            new("RABBITMQ_DEFAULT_PASS", rabbit.PasswordParameter.ValueExpression),
        ],
        Endpoints(rabbit),
        rabbit.ConnectionStringExpression.ValueExpression,
        DataPath: "/var/lib/rabbitmq",
        HealthCommand: "rabbitmq-diagnostics -q ping");

    private static ServerSpec Minio(S3StorageResource storage) => new(
        storage.Name,
        MinioImage,
        Entrypoint: null,
        Args: ["server", "/data"],
        Environment:
        [
            new("MINIO_ROOT_USER", storage.AccessKeyParameter.ValueExpression),
            new("MINIO_ROOT_PASSWORD", storage.SecretKeyParameter.ValueExpression),
        ],
        Endpoints(storage),
        storage.ConnectionStringExpression.ValueExpression,
        DataPath: "/data",
        HealthCommand: "mc ready local")
    {
        Bucket = new BucketSpec(storage.Bucket, storage.AccessKeyParameter.Name, storage.SecretKeyParameter.Name),
    };

    private static List<EndpointSpec> Endpoints(Resource resource) =>
        resource.Endpoints
            .Select(e => new EndpointSpec(
                e.Name,
                e.Scheme,
                PublishingModel.TransportOf(e.Scheme),
                e.TargetPort ?? throw new DistributedApplicationException($"Endpoint '{resource.Name}.{e.Name}' has no target port for its container."),
                e.IsExternal))
            .ToList();
}
