using Stox.Hosting.Publishing;

namespace Stox.Tests.Publishing;

public sealed class ManifestExpressionTests
{
    [Fact]
    public void Parses_bindings_parameters_and_connection_strings_and_keeps_the_text_between()
    {
        var parts = ManifestExpression.Parse("Host={postgres.bindings.tcp.host};Password={postgres-password.value};{authdb.connectionString}!");

        Assert.Equal(
            [
                new LiteralPart("Host="),
                new EndpointPart("postgres", "tcp", "host"),
                new LiteralPart(";Password="),
                new ParameterPart("postgres-password"),
                new LiteralPart(";"),
                new ConnectionStringPart("authdb"),
                new LiteralPart("!"),
            ],
            parts);
    }

    [Fact]
    public void Leaves_text_that_only_looks_like_a_reference()
    {
        Assert.Equal([new LiteralPart("/catalog/{**catch-all} {x} {a.b}")], ManifestExpression.Parse("/catalog/{**catch-all} {x} {a.b}"));
    }

    [Fact]
    public void Resolves_references_and_escapes_literals()
    {
        var resolved = ManifestExpression.Resolve(
            "redis-server --requirepass $P {cache.bindings.tcp.port}",
            reference => reference is EndpointPart { Property: "port" } ? "6379" : "?",
            literal => literal.Replace("$", "$$", StringComparison.Ordinal));

        Assert.Equal("redis-server --requirepass $$P 6379", resolved);
        Assert.Equal("cache-password", ManifestExpression.AsParameter("{cache-password.value}"));
        Assert.Null(ManifestExpression.AsParameter("x{cache-password.value}"));
    }
}
