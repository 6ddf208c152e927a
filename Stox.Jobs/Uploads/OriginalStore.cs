using System.Buffers;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace Stox.Jobs.Uploads;

/// <summary>The file is over the size limit; nothing of it was kept.</summary>
public sealed class FileTooLargeException : Exception
{
    public FileTooLargeException()
    {
    }

    public FileTooLargeException(string message) : base(message)
    {
    }

    public FileTooLargeException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// Streams an upload into S3 one part at a time: at most one part (<see cref="JobsOptions.UploadPartBytes"/>)
/// of a file is in memory, whatever its size. A file that fits in one part is a single PutObject; a larger one a
/// multipart upload, aborted if anything fails, so storage never keeps half a file.
/// </summary>
public sealed class OriginalStore(IAmazonS3 s3, S3StorageSettings storage, IOptions<JobsOptions> options)
{
    /// <summary>A buffer for one part, from the shared pool; return it with <see cref="ReturnBuffer"/>.</summary>
    public byte[] RentBuffer() => ArrayPool<byte>.Shared.Rent(options.Value.UploadPartBytes);

    public static void ReturnBuffer(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);

    public int PartBytes => options.Value.UploadPartBytes;

    /// <summary>Reads until <paramref name="buffer"/> holds a whole part or the stream ends; returns the bytes read.</summary>
    public async Task<int> FillAsync(Stream source, byte[] buffer, int offset, CancellationToken cancellationToken) =>
        offset + await source.ReadAtLeastAsync(buffer.AsMemory(offset, PartBytes - offset), PartBytes - offset, throwOnEndOfStream: false, cancellationToken);

    /// <summary>
    /// Stores a file whose first <paramref name="headLength"/> bytes are already in <paramref name="buffer"/> and
    /// whose rest is still in <paramref name="rest"/>; returns its size. Throws <see cref="FileTooLargeException"/>
    /// past <paramref name="maxBytes"/>.
    /// </summary>
    public async Task<long> PutAsync(string key, string contentType, byte[] buffer, int headLength, Stream rest, long maxBytes, CancellationToken cancellationToken)
    {
        if (headLength < PartBytes)
        {
            if (headLength > maxBytes)
            {
                throw new FileTooLargeException();
            }

            using var body = new MemoryStream(buffer, 0, headLength, writable: false);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = storage.Bucket, Key = key, InputStream = body, ContentType = contentType, AutoCloseStream = false }, cancellationToken);
            return headLength;
        }

        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = storage.Bucket, Key = key, ContentType = contentType }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            long total = 0;
            var length = headLength;
            while (length > 0)
            {
                total += length;
                if (total > maxBytes)
                {
                    throw new FileTooLargeException();
                }

                using (var part = new MemoryStream(buffer, 0, length, writable: false))
                {
                    var response = await s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = storage.Bucket,
                        Key = key,
                        UploadId = upload.UploadId,
                        PartNumber = parts.Count + 1,
                        InputStream = part,
                        PartSize = length,
                    }, cancellationToken);
                    parts.Add(new PartETag(parts.Count + 1, response.ETag));
                }

                length = await FillAsync(rest, buffer, 0, cancellationToken);
            }

            await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = storage.Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, cancellationToken);
            return total;
        }
        catch
        {
            await AbortQuietlyAsync(key, upload.UploadId);
            throw;
        }
    }

    private async Task AbortQuietlyAsync(string key, string uploadId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = storage.Bucket, Key = key, UploadId = uploadId }, timeout.Token);
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or OperationCanceledException)
        {
            // An unfinished multipart upload is invisible; S3's lifecycle rule for incomplete uploads removes it.
        }
    }
}
