using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Stox.Processing.Storage;

/// <summary>The original was removed from storage (the image was deleted meanwhile): retrying will not bring it back.</summary>
public sealed class OriginalMissingException(string key, Exception inner)
    : Exception($"The original '{key}' is not in storage.", inner)
{
    public string Key { get; } = key;
}

/// <summary>The original is larger than the engine accepts; known from its size before downloading it.</summary>
public sealed class OriginalTooLargeException(long bytes, long limit)
    : Exception($"The original is {bytes} bytes, over the {limit} byte limit.")
{
    public long Bytes { get; } = bytes;

    public long Limit { get; } = limit;
}

/// <summary>Reads originals from and writes variants to the bucket of the <c>storage</c> connection string.</summary>
public sealed class ImageStore(IAmazonS3 s3, S3StorageSettings settings)
{
    public async Task<byte[]> DownloadAsync(string key, long maxBytes, CancellationToken cancellationToken)
    {
        GetObjectResponse response;
        try
        {
            response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = settings.Bucket, Key = key }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchKey" || ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new OriginalMissingException(key, ex);
        }

        using (response)
        {
            var length = response.ContentLength;
            if (length > maxBytes)
            {
                throw new OriginalTooLargeException(length, maxBytes);
            }

            var buffer = new byte[length];
            await response.ResponseStream.ReadExactlyAsync(buffer, cancellationToken);
            return buffer;
        }
    }

    /// <summary>Writes (or overwrites) one object; keys are deterministic, so a second attempt replaces the first.</summary>
    public async Task UploadAsync(string key, byte[] data, string contentType, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(data, writable: false);
        await s3.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = settings.Bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                ContentType = contentType,
            },
            cancellationToken);
    }
}
