using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace Stox.Jobs.Delivery;

/// <summary>
/// Where a browser fetches an object: under the configured public/CDN base when there is one, otherwise a
/// short-lived pre-signed S3 URL (signed locally, no call to S3).
/// </summary>
public sealed class DeliveryUrls(IAmazonS3 s3, S3StorageSettings storage, IOptions<JobsOptions> options, TimeProvider time)
{
    public string Download(string key)
    {
        if (options.Value.PublicBaseUrl is { } publicBase)
        {
            var root = publicBase.AbsoluteUri.EndsWith('/') ? publicBase : new Uri(publicBase.AbsoluteUri + "/");
            return new Uri(root, key).AbsoluteUri;
        }

        return Presign(key, HttpVerb.GET, options.Value.DeliveryUrlLifetime, contentType: null);
    }

    public string Upload(string key, string contentType, out DateTimeOffset expiresAt)
    {
        expiresAt = time.GetUtcNow() + options.Value.PresignedUploadLifetime;
        return Presign(key, HttpVerb.PUT, options.Value.PresignedUploadLifetime, contentType);
    }

    private string Presign(string key, HttpVerb verb, TimeSpan lifetime, string? contentType)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = storage.Bucket,
            Key = key,
            Verb = verb,
            Expires = (time.GetUtcNow() + lifetime).UtcDateTime,
            // Without this the SDK signs https:// URLs even for an http:// endpoint.
            Protocol = storage.Endpoint?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
        };
        if (contentType is not null)
        {
            request.ContentType = contentType;
        }

        return s3.GetPreSignedURL(request);
    }
}
