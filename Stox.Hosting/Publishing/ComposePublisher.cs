namespace Stox.Hosting.Publishing;

public sealed class ComposePublisher : IPublisher
{
    public string Name => "compose";

    public string Description => "not implemented yet";

    public Task<IReadOnlyList<string>> PublishAsync(PublishingModel model, PublishingContext context, CancellationToken cancellationToken) =>
        throw new PublishingUsageException("Publisher 'compose' is not implemented yet.");
}
