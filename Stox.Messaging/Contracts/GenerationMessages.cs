namespace Stox.Messaging.Contracts;

/// <summary>
/// A generation was accepted and paid for: its pictures are to be asked of the provider. Jobs sends it through
/// its outbox and consumes it itself, so the request that accepted it answers at once and a provider that takes
/// a minute holds no HTTP request. The details are in jobsdb; the message only names the generation.
/// </summary>
[MessageType("image-generation-requested.v1")]
public sealed record ImageGenerationRequestedV1(Guid GenerationId, Guid UserId, DateTimeOffset RequestedAt);
