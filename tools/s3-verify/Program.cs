// Verifies an S3-compatible endpoint with the client settings every Stox service uses
// (AWSSDK.S3 4.x, path-style, ServiceURL + AuthenticationRegion, WHEN_REQUIRED checksums).
// Usage: dotnet run --project tools/s3-verify -- http://127.0.0.1:PORT ACCESS SECRET BUCKET
// Prints PASS/FAIL per operation; exit code 0 only when everything passed.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: s3-verify SERVICE_URL ACCESS_KEY SECRET_KEY BUCKET");
    return 2;
}

var (serviceUrl, accessKey, secretKey, bucket) = (args[0], args[1], args[2], args[3]);
var run = new Verifier(serviceUrl, accessKey, secretKey, bucket);
return await run.RunAsync();

internal sealed class Verifier(string serviceUrl, string accessKey, string secretKey, string bucket)
{
    private const int MiB = 1024 * 1024;
    private readonly string _prefix = $"s3-verify/{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}/";
    private readonly List<(string Name, bool Pass, string Detail)> _results = [];

    // The one place the client is configured: what the services use, except MaxErrorRetry = 0,
    // so a server fault is reported here instead of being hidden by the SDK's retries.
    public static AmazonS3Config Config(string serviceUrl) => new()
    {
        MaxErrorRetry = 0,
        ServiceURL = serviceUrl,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    };

    private AmazonS3Client NewClient(string secret) => new(new BasicAWSCredentials(accessKey, secret), Config(serviceUrl));

    public async Task<int> RunAsync()
    {
        using var s3 = NewClient(secretKey);
        using var http = new HttpClient();
        var ct = CancellationToken.None;

        await Check("HeadBucket (existing bucket)", async () =>
        {
            await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, ct);
            return "200";
        });

        // PutObject with the SDK's defaults (aws-chunked, signed payload) and GetObject round trips.
        foreach (var (label, size) in new[] { ("0 B", 0), ("1 KB", 1024), ("5 MB", 5 * MiB) })
        {
            var key = $"{_prefix}put/{size}.bin";
            var data = Bytes(size, seed: size + 1);
            await Check($"PutObject {label} (MemoryStream, SDK defaults)", async () =>
            {
                using var ms = new MemoryStream(data);
                var put = await s3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket,
                    Key = key,
                    InputStream = ms,
                    ContentType = "application/octet-stream",
                }, ct);
                return $"ETag {put.ETag}";
            });
            await Check($"GetObject {label} round-trips byte-identical", async () =>
            {
                var got = await GetBytes(s3, key, ct);
                Expect(got.AsSpan().SequenceEqual(data), $"got {got.Length} B, sha {Sha(got)} vs {Sha(data)}");
                return $"{got.Length} B identical";
            });
        }

        var bigKey = $"{_prefix}put/60MB-nonseekable.bin";
        var bigSize = 60 * MiB;
        var bigHash = Sha(Bytes(bigSize, seed: 60));
        await Check("PutObject 60 MB non-seekable stream (ContentLength header set)", async () =>
        {
            await using var stream = new NonSeekableStream(new MemoryStream(Bytes(bigSize, seed: 60)));
            var request = new PutObjectRequest { BucketName = bucket, Key = bigKey, InputStream = stream, ContentType = "application/octet-stream" };
            request.Headers.ContentLength = bigSize;
            var put = await s3.PutObjectAsync(request, ct);
            return $"ETag {put.ETag}";
        });
        await Check("GetObject 60 MB round-trips byte-identical", async () =>
        {
            var got = await GetBytes(s3, bigKey, ct);
            Expect(Sha(got) == bigHash, $"got {got.Length} B, sha {Sha(got)} vs {bigHash}");
            return $"{got.Length} B identical";
        });

        await Note("PutObject, non-seekable stream, no ContentLength", async () =>
        {
            await using var stream = new NonSeekableStream(new MemoryStream(Bytes(MiB, seed: 99)));
            var ex = await Throws<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"{_prefix}put/nolength.bin", InputStream = stream }, ct));
            return $"the SDK fails with \"{ex.Message}\" (HTTP status {(int)ex.StatusCode}: no response), whatever the server: set Headers.ContentLength or use TransferUtility";
        });
        await Check("PutObject x16 in parallel (same folder) + GetObject", async () =>
        {
            var items = Enumerable.Range(0, 16).Select(i => (Key: $"{_prefix}parallel/v{i}.webp", Data: Bytes(64 * 1024 + i, seed: 100 + i))).ToList();
            await Task.WhenAll(items.Select(async item =>
            {
                using var ms = new MemoryStream(item.Data);
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = item.Key, InputStream = ms, ContentType = "image/webp" }, ct);
            }));
            foreach (var item in items)
            {
                Expect((await GetBytes(s3, item.Key, ct)).AsSpan().SequenceEqual(item.Data), $"{item.Key} differs");
            }
            return $"{items.Count} objects identical";
        });
        await Check("GetObject byte range", async () =>
        {
            using var resp = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = $"{_prefix}put/1024.bin", ByteRange = new ByteRange(10, 19) }, ct);
            var got = await ReadAll(resp.ResponseStream, ct);
            Expect(got.AsSpan().SequenceEqual(Bytes(1024, seed: 1025).AsSpan(10, 10)), $"got {got.Length} B");
            return $"206, {got.Length} B";
        });

        var metaKey = $"{_prefix}meta/photo (1) ä+b!'*&<>.jpg";
        var metaData = Bytes(2048, seed: 7);
        await Check("PutObject key with spaces/unicode/+!'()*&<> , Content-Type and metadata", async () =>
        {
            using var ms = new MemoryStream(metaData);
            var request = new PutObjectRequest { BucketName = bucket, Key = metaKey, InputStream = ms, ContentType = "image/jpeg" };
            request.Metadata.Add("image-id", "abc123");
            await s3.PutObjectAsync(request, ct);
            var got = await GetBytes(s3, metaKey, ct);
            Expect(got.AsSpan().SequenceEqual(metaData), "content differs");
            return "stored and read back";
        });
        await Check("HeadObject (length, type, ETag, metadata)", async () =>
        {
            var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = metaKey }, ct);
            Expect(head.ContentLength == metaData.Length, $"ContentLength {head.ContentLength}");
            Expect(head.Headers.ContentType == "image/jpeg", $"ContentType {head.Headers.ContentType}");
            Expect(head.ETag?.Trim('"') == Convert.ToHexStringLower(MD5.HashData(metaData)), $"ETag {head.ETag}");
            Expect(head.Metadata["x-amz-meta-image-id"] == "abc123", $"metadata {string.Join(",", head.Metadata.Keys)}");
            return $"{head.ContentLength} B {head.Headers.ContentType} {head.ETag}";
        });
        await Check("HeadObject missing key -> 404", async () =>
        {
            var ex = await Throws(() => s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = $"{_prefix}nope" }, ct));
            Expect(ex.StatusCode == HttpStatusCode.NotFound, $"{ex.StatusCode} {ex.ErrorCode}");
            return "404";
        });

        // Listing: 5 keys under a prefix (+1 outside it), pages of 2.
        var listPrefix = $"{_prefix}list/";
        var listKeys = Enumerable.Range(0, 5).Select(i => $"{listPrefix}k{i}.txt").ToList();
        await Check("ListObjectsV2 prefix + MaxKeys=2 pagination", async () =>
        {
            foreach (var k in listKeys.Append($"{_prefix}list-outside.txt"))
            {
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = k, ContentBody = k }, ct);
            }
            var seen = new List<string>();
            string? token = null;
            var pages = 0;
            do
            {
                var page = await s3.ListObjectsV2Async(new ListObjectsV2Request
                {
                    BucketName = bucket,
                    Prefix = listPrefix,
                    MaxKeys = 2,
                    ContinuationToken = token,
                }, ct);
                pages++;
                seen.AddRange((page.S3Objects ?? []).Select(o => o.Key));
                token = page.IsTruncated == true ? page.NextContinuationToken : null;
                Expect(pages < 10, "too many pages");
            }
            while (token is not null);
            Expect(seen.SequenceEqual(listKeys), $"keys [{string.Join(",", seen)}]");
            Expect(pages == 3, $"{pages} pages");
            return $"{seen.Count} keys in {pages} pages";
        });
        await Check("ListObjectsV2 delimiter (common prefixes)", async () =>
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = _prefix, Delimiter = "/" }, ct);
            var prefixes = page.CommonPrefixes ?? [];
            Expect(prefixes.Contains(listPrefix), $"common prefixes [{string.Join(",", prefixes)}]");
            return $"{prefixes.Count} common prefixes";
        });
        await Check("ListObjectsV2 prefix with special characters", async () =>
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = $"{_prefix}meta/photo (1) ä+b" }, ct);
            var keys = (page.S3Objects ?? []).Select(o => o.Key).ToList();
            Expect(keys.SequenceEqual([metaKey]), $"keys [{string.Join(",", keys)}]");
            return "1 key, name intact";
        });
        await Check("ListObjects (v1) prefix + MaxKeys=2 pagination", async () =>
        {
            var seen = new List<string>();
            string? marker = null;
            var pages = 0;
            do
            {
                var page = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Prefix = listPrefix, MaxKeys = 2, Marker = marker }, ct);
                pages++;
                var keys = (page.S3Objects ?? []).Select(o => o.Key).ToList();
                seen.AddRange(keys);
                marker = page.IsTruncated == true ? (page.NextMarker ?? keys[^1]) : null;
                Expect(pages < 10, "too many pages");
            }
            while (marker is not null);
            Expect(seen.SequenceEqual(listKeys), $"keys [{string.Join(",", seen)}]");
            return $"{seen.Count} keys in {pages} pages";
        });

        await Check("DeleteObject (then 404)", async () =>
        {
            await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = listKeys[0] }, ct);
            var ex = await Throws(() => s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = listKeys[0] }, ct));
            Expect(ex.StatusCode == HttpStatusCode.NotFound, $"{ex.StatusCode}");
            return "deleted";
        });
        await Check("DeleteObjects (multi-object, incl. special-character key)", async () =>
        {
            var toDelete = listKeys.Skip(1).Append(metaKey).ToList();
            var result = await s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = bucket,
                Objects = toDelete.Select(k => new KeyVersion { Key = k }).ToList(),
            }, ct);
            var errors = result.DeleteErrors ?? [];
            Expect(errors.Count == 0, string.Join(";", errors.Select(e => $"{e.Key}:{e.Code}")));
            Expect((result.DeletedObjects?.Count ?? 0) == toDelete.Count, $"{result.DeletedObjects?.Count} deleted");
            var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = listPrefix }, ct);
            Expect((left.S3Objects?.Count ?? 0) == 0, $"{left.S3Objects?.Count} keys left");
            return $"{toDelete.Count} deleted";
        });

        await Check("DeleteObjects 30 keys in one folder tree (image + variants)", async () =>
        {
            var keys = Enumerable.Range(0, 30).Select(i => $"{_prefix}variants/u1/img{i % 3}/v{i}.webp").ToList();
            foreach (var k in keys)
            {
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = k, ContentBody = "v" }, ct);
            }
            var result = await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = keys.Select(k => new KeyVersion { Key = k }).ToList() }, ct);
            Expect((result.DeleteErrors?.Count ?? 0) == 0, "DeleteErrors reported");
            var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = $"{_prefix}variants/" }, ct);
            Expect((left.S3Objects?.Count ?? 0) == 0, $"{left.S3Objects?.Count} keys left");
            return $"{keys.Count} deleted";
        });

        // Multipart, low level.
        var mpKey = $"{_prefix}multipart/low-level.bin";
        var part1 = Bytes(5 * MiB, seed: 11);
        var part2 = Bytes(1 * MiB + 123, seed: 12);
        await Check("Multipart Initiate/UploadPart x2/Complete", async () =>
        {
            var init = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = mpKey, ContentType = "application/octet-stream" }, ct);
            var etags = new List<PartETag>();
            var n = 1;
            foreach (var part in new[] { part1, part2 })
            {
                using var ms = new MemoryStream(part);
                var up = await s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = bucket,
                    Key = mpKey,
                    UploadId = init.UploadId,
                    PartNumber = n,
                    InputStream = ms,
                    PartSize = part.Length,
                }, ct);
                etags.Add(new PartETag(n++, up.ETag));
            }
            await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = mpKey, UploadId = init.UploadId, PartETags = etags }, ct);
            var got = await GetBytes(s3, mpKey, ct);
            Expect(got.AsSpan().SequenceEqual([.. part1, .. part2]), $"got {got.Length} B, expected {part1.Length + part2.Length}");
            return $"{got.Length} B identical";
        });
        await Check("Multipart AbortMultipartUpload", async () =>
        {
            var key = $"{_prefix}multipart/aborted.bin";
            var init = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, ct);
            using (var ms = new MemoryStream(part1))
            {
                await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = key, UploadId = init.UploadId, PartNumber = 1, InputStream = ms }, ct);
            }
            var abort = await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = init.UploadId }, ct);
            var ex = await Throws(() => s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, ct));
            Expect(ex.StatusCode == HttpStatusCode.NotFound, $"object exists after abort: {ex.StatusCode}");
            return $"{(int)abort.HttpStatusCode}, no object";
        });

        // TransferUtility: 60 MB from a non-seekable stream (multipart) and from a seekable one.
        var tuKey = $"{_prefix}transfer/60MB.bin";
        await Check("TransferUtility upload 60 MB non-seekable stream (multipart) + download", async () =>
        {
            using var tu = new TransferUtility(s3);
            await using (var stream = new NonSeekableStream(new MemoryStream(Bytes(bigSize, seed: 60))))
            {
                await tu.UploadAsync(new TransferUtilityUploadRequest { BucketName = bucket, Key = tuKey, InputStream = stream, PartSize = 8 * MiB }, ct);
            }
            await using var down = await tu.OpenStreamAsync(bucket, tuKey, ct);
            var got = await ReadAll(down, ct);
            Expect(Sha(got) == bigHash, $"got {got.Length} B, sha differs");
            return $"{got.Length} B identical";
        });
        await Check("TransferUtility upload 20 MB seekable stream + download", async () =>
        {
            var data = Bytes(20 * MiB, seed: 20);
            var key = $"{_prefix}transfer/20MB.bin";
            using var tu = new TransferUtility(s3);
            using (var ms = new MemoryStream(data))
            {
                await tu.UploadAsync(ms, bucket, key, ct);
            }
            var got = await GetBytes(s3, key, ct);
            Expect(got.AsSpan().SequenceEqual(data), $"got {got.Length} B, sha differs");
            return $"{got.Length} B identical";
        });

        await Check("CopyObject", async () =>
        {
            var dest = $"{_prefix}copy/of-5MB.bin";
            await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = $"{_prefix}put/{5 * MiB}.bin", DestinationBucket = bucket, DestinationKey = dest }, ct);
            var got = await GetBytes(s3, dest, ct);
            Expect(got.AsSpan().SequenceEqual(Bytes(5 * MiB, seed: 5 * MiB + 1)), "content differs");
            return $"{got.Length} B identical";
        });

        // Pre-signed URLs, used by browsers with plain HTTP.
        var presignProtocol = new Uri(serviceUrl).Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS;
        await Note("Pre-signed URL scheme when GetPreSignedUrlRequest.Protocol is not set", async () =>
        {
            var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "k", Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5) });
            var scheme = new Uri(url).Scheme;
            return scheme == new Uri(serviceUrl).Scheme
                ? $"{scheme}, as the endpoint"
                : $"{scheme}, not the endpoint's {new Uri(serviceUrl).Scheme}: set Protocol from the endpoint's scheme (as done below)";
        });
        await Check("Pre-signed GET (plain HttpClient)", async () =>
        {
            var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
            {
                BucketName = bucket,
                Key = $"{_prefix}put/1024.bin",
                Verb = HttpVerb.GET,
                Expires = DateTime.UtcNow.AddMinutes(5),
                Protocol = presignProtocol,
            });
            var got = await http.GetByteArrayAsync(new Uri(url), ct);
            Expect(got.AsSpan().SequenceEqual(Bytes(1024, seed: 1025)), "content differs");
            return $"{got.Length} B identical";
        });
        await Check("Pre-signed PUT with signed Content-Type (plain HTTP PUT)", async () =>
        {
            var key = $"{_prefix}presigned/upload (1).jpg";
            var data = Bytes(300_000, seed: 33);
            var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
            {
                BucketName = bucket,
                Key = key,
                Verb = HttpVerb.PUT,
                ContentType = "image/jpeg",
                Expires = DateTime.UtcNow.AddMinutes(5),
                Protocol = presignProtocol,
            });
            using var content = new ByteArrayContent(data);
            content.Headers.ContentType = new("image/jpeg");
            using var resp = await http.PutAsync(new Uri(url), content, ct);
            Expect(resp.IsSuccessStatusCode, $"{(int)resp.StatusCode} {await resp.Content.ReadAsStringAsync(ct)}");
            var got = await GetBytes(s3, key, ct);
            Expect(got.AsSpan().SequenceEqual(data), "content differs");
            var head = await s3.GetObjectMetadataAsync(bucket, key, ct);
            Expect(head.Headers.ContentType == "image/jpeg", $"ContentType {head.Headers.ContentType}");
            return $"{(int)resp.StatusCode}, {got.Length} B identical";
        });
        await Check("Pre-signed PUT without Content-Type", async () =>
        {
            var key = $"{_prefix}presigned/plain.bin";
            var data = Bytes(1000, seed: 34);
            var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = key, Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = presignProtocol });
            using var content = new ByteArrayContent(data);
            using var resp = await http.PutAsync(new Uri(url), content, ct);
            Expect(resp.IsSuccessStatusCode, $"{(int)resp.StatusCode} {await resp.Content.ReadAsStringAsync(ct)}");
            Expect((await GetBytes(s3, key, ct)).AsSpan().SequenceEqual(data), "content differs");
            return $"{(int)resp.StatusCode}";
        });
        await Check("Pre-signed GET tampered (key, expiry, extra parameter) rejected", async () =>
        {
            var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = $"{_prefix}put/1024.bin", Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = presignProtocol });
            var otherKey = url.Replace("put/1024.bin", "put/0.bin", StringComparison.Ordinal);
            var longer = System.Text.RegularExpressions.Regex.Replace(url, "X-Amz-Expires=[0-9]+", "X-Amz-Expires=3000");
            Expect(otherKey != url && longer != url, "could not tamper with the URL");
            using var resp1 = await http.GetAsync(new Uri(otherKey), ct);
            using var resp2 = await http.GetAsync(new Uri(longer), ct);
            using var resp3 = await http.GetAsync(new Uri(url + "&extra=1"), ct);
            Expect(resp1.StatusCode == HttpStatusCode.Forbidden && resp2.StatusCode == HttpStatusCode.Forbidden && resp3.StatusCode == HttpStatusCode.Forbidden,
                $"{(int)resp1.StatusCode} {(int)resp2.StatusCode} {(int)resp3.StatusCode}");
            return "403 for other key, longer expiry, added parameter";
        });

        // Authentication and errors.
        using (var wrong = NewClient(secretKey + "x"))
        {
            await Check("Wrong secret key rejected: PutObject", async () =>
            {
                var ex = await Throws(() => wrong.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"{_prefix}forged.txt", ContentBody = "x" }, ct));
                Expect(ex.StatusCode == HttpStatusCode.Forbidden && ex.ErrorCode == "SignatureDoesNotMatch", $"{ex.StatusCode} {ex.ErrorCode}");
                return $"403 {ex.ErrorCode}";
            });
            await Check("Wrong secret key rejected: GetObject / ListObjectsV2", async () =>
            {
                var ex1 = await Throws(() => wrong.GetObjectAsync(bucket, $"{_prefix}put/1024.bin", ct));
                var ex2 = await Throws(() => wrong.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, ct));
                Expect(ex1.StatusCode == HttpStatusCode.Forbidden && ex2.StatusCode == HttpStatusCode.Forbidden, $"{ex1.StatusCode} {ex2.StatusCode}");
                return $"403 {ex1.ErrorCode} / {ex2.ErrorCode}";
            });
        }
        using (var unknown = new AmazonS3Client(new BasicAWSCredentials(accessKey + "x", secretKey), Config(serviceUrl)))
        {
            await Check("Unknown access key rejected", async () =>
            {
                var ex = await Throws(() => unknown.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, ct));
                Expect(ex.StatusCode == HttpStatusCode.Forbidden, $"{ex.StatusCode} {ex.ErrorCode}");
                return $"403 {ex.ErrorCode}";
            });
        }
        await Check("Unsigned (anonymous) GET / PUT / list rejected", async () =>
        {
            using var get = await http.GetAsync(new Uri($"{serviceUrl.TrimEnd('/')}/{bucket}/{_prefix}put/1024.bin"), ct);
            using var body = new ByteArrayContent([1, 2, 3]);
            using var put = await http.PutAsync(new Uri($"{serviceUrl.TrimEnd('/')}/{bucket}/{_prefix}anonymous.bin"), body, ct);
            using var list = await http.GetAsync(new Uri($"{serviceUrl.TrimEnd('/')}/{bucket}/?list-type=2"), ct);
            Expect(get.StatusCode == HttpStatusCode.Forbidden && put.StatusCode == HttpStatusCode.Forbidden && list.StatusCode == HttpStatusCode.Forbidden,
                $"{(int)get.StatusCode} {(int)put.StatusCode} {(int)list.StatusCode}");
            return "403 x3";
        });
        var missingBucket = $"{bucket}-missing-{Guid.NewGuid():N}"[..40];
        await Check("Wrong bucket -> 404 NoSuchBucket (GetObject, PutObject, ListObjectsV2)", async () =>
        {
            var ex1 = await Throws(() => s3.GetObjectAsync(missingBucket, "k", ct));
            var ex2 = await Throws(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = missingBucket, Key = "k", ContentBody = "x" }, ct));
            var ex3 = await Throws(() => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = missingBucket }, ct));
            foreach (var ex in new[] { ex1, ex2, ex3 })
            {
                Expect(ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode == "NoSuchBucket", $"{ex.StatusCode} {ex.ErrorCode}");
            }
            return "404 NoSuchBucket x3";
        });
        await Check("Wrong bucket -> HeadBucket 404", async () =>
        {
            var ex = await Throws(() => s3.HeadBucketAsync(new HeadBucketRequest { BucketName = missingBucket }, ct));
            Expect(ex.StatusCode == HttpStatusCode.NotFound, $"{ex.StatusCode}");
            return "404";
        });

        await Check("Clean-up: delete everything under the run prefix", async () =>
        {
            var deleted = 0;
            string? token = null;
            do
            {
                var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = _prefix, ContinuationToken = token }, ct);
                var keys = (page.S3Objects ?? []).Select(o => new KeyVersion { Key = o.Key }).ToList();
                if (keys.Count > 0)
                {
                    var result = await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = keys }, ct);
                    Expect((result.DeleteErrors?.Count ?? 0) == 0, "DeleteErrors reported");
                    deleted += keys.Count;
                }
                token = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (token is not null);
            return $"{deleted} objects";
        });

        var failed = _results.Count(r => !r.Pass);
        Console.WriteLine();
        Console.WriteLine($"{_results.Count - failed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private async Task Check(string name, Func<Task<string>> body)
    {
        try
        {
            var detail = await body();
            _results.Add((name, true, detail));
            Console.WriteLine($"PASS  {name}  ({detail})");
        }
        catch (Exception ex)
        {
            var detail = ex is AmazonS3Exception s3 ? $"{(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}" : $"{ex.GetType().Name}: {ex.Message}";
            _results.Add((name, false, detail));
            Console.WriteLine($"FAIL  {name}  ({detail})");
        }
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    private static Task<AmazonS3Exception> Throws(Func<Task> call) => Throws<AmazonS3Exception>(call);

    private static async Task<TException> Throws<TException>(Func<Task> call)
        where TException : Exception
    {
        try
        {
            await call();
        }
        catch (TException ex)
        {
            return ex;
        }
        throw new InvalidOperationException("the call succeeded but should have failed");
    }

    // Client-side SDK behaviour worth knowing; printed, not counted.
    private static async Task Note(string name, Func<Task<string>> body)
    {
        try
        {
            Console.WriteLine($"NOTE  {name}: {await body()}");
        }
        catch (Exception ex)
        {
            Console.WriteLine($"NOTE  {name}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private async Task<byte[]> GetBytes(IAmazonS3 s3, string key, CancellationToken ct)
    {
        using var resp = await s3.GetObjectAsync(bucket, key, ct);
        return await ReadAll(resp.ResponseStream, ct);
    }

    private static async Task<byte[]> ReadAll(Stream stream, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms, ct);
        return ms.ToArray();
    }

    private static byte[] Bytes(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}

/// <summary>A read-only stream that cannot seek and does not know its length (like a request body).</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
