namespace Stox.Hosting;

/// <summary>
/// A reference to another resource's whole connection string: its value in run mode, and
/// <c>{name.connectionString}</c> in the manifest, as Aspire writes a database on its server.
/// </summary>
public sealed class ConnectionStringReference(IResourceWithConnectionString resource) : IValueProvider, IManifestExpressionProvider
{
    public IResourceWithConnectionString Resource { get; } = resource;

    public string ValueExpression => $"{{{Resource.Name}.connectionString}}";

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) =>
        Resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
}
