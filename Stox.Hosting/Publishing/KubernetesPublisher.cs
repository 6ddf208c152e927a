namespace Stox.Hosting.Publishing;

public sealed class KubernetesPublisher : IPublisher
{
    public string Name => "kubernetes";

    public string Description => "not implemented yet";

    public Task<IReadOnlyList<string>> PublishAsync(PublishingModel model, PublishingContext context, CancellationToken cancellationToken) =>
        throw new PublishingUsageException("Publisher 'kubernetes' is not implemented yet.");
}
