namespace Stox.Messaging.Contracts;

/// <summary>
/// The S3 keys of an image's objects. Deterministic, so a redelivered job overwrites what an earlier attempt
/// wrote instead of leaving a second copy, and deleting an image never needs a listing.
/// </summary>
public static class StorageKeys
{
    /// <summary><c>originals/{userId}/{imageId}.jpg</c>; <paramref name="extension"/> without the dot.</summary>
    public static string Original(Guid userId, Guid imageId, string extension) =>
        $"originals/{userId:N}/{imageId:N}.{extension}";

    /// <summary><c>variants/{userId}/{imageId}/{preset}.{ext}</c>, or <c>.../enhanced/{preset}.{ext}</c> for the enhanced set.</summary>
    public static string Variant(Guid userId, Guid imageId, string preset, string extension, bool enhanced = false) =>
        enhanced
            ? $"variants/{userId:N}/{imageId:N}/enhanced/{preset}.{extension}"
            : $"variants/{userId:N}/{imageId:N}/{preset}.{extension}";

    /// <summary>Every variant of an image lives under this prefix.</summary>
    public static string VariantPrefix(Guid userId, Guid imageId) => $"variants/{userId:N}/{imageId:N}/";

    /// <summary>File extension of an output format name: jpeg -> jpg, webp, avif.</summary>
    public static string ExtensionOf(string format) => format switch
    {
        "jpeg" => "jpg",
        _ => format,
    };
}
