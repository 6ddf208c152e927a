using Stox.Hosting.Dashboard;

namespace Stox.Tests.Dashboard;

public sealed class SecretMaskerTests
{
    [Theory]
    [InlineData("POSTGRES_PASSWORD", "hunter2", "******")]
    [InlineData("RABBITMQ_DEFAULT_PASS", "guest", "******")]
    [InlineData("S3_SECRET_KEY", "abc", "******")]
    [InlineData("Jwt__SigningKey", "abc", "******")]
    [InlineData("ConnectionStrings__authdb", "Host=h;Port=1;Username=postgres;Password=p@ss;Database=authdb", "Host=h;Port=1;Username=postgres;Password=******;Database=authdb")]
    [InlineData("ConnectionStrings__cache", "localhost:6379,password=redispw", "localhost:6379,password=******")]
    [InlineData("ConnectionStrings__messaging", "amqp://guest:pw@localhost:5672", "amqp://guest:******@localhost:5672")]
    [InlineData("ConnectionStrings__storage", "Endpoint=http://localhost:9000;AccessKey=ak;SecretKey=sk;Region=us-east-1;Bucket=images", "Endpoint=http://localhost:9000;AccessKey=******;SecretKey=******;Region=us-east-1;Bucket=images")]
    [InlineData("ASPNETCORE_URLS", "http://localhost:5000", "http://localhost:5000")]
    [InlineData("services__auth__http__0", "http://localhost:5001", "http://localhost:5001")]
    public void Masks_secrets_and_keeps_the_rest(string key, string value, string expected) =>
        Assert.Equal(expected, SecretMasker.MaskValue(key, value));
}
