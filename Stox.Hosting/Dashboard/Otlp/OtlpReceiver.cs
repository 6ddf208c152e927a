using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Stox.Hosting.Dashboard.Otlp.Protocol;

namespace Stox.Hosting.Dashboard.Otlp;

/// <summary>
/// OTLP over HTTP (<c>POST /v1/traces|logs|metrics</c>, <c>application/x-protobuf</c>) and over gRPC
/// (unary <c>Export</c> of the three collector services, framed by hand on Kestrel's HTTP/2: a 1-byte
/// compression flag, a 4-byte big-endian length, the message; the status in the <c>grpc-status</c> trailer).
/// Bad input is answered, never thrown: 400/413/415 over HTTP, a gRPC status over gRPC.
/// </summary>
internal sealed class OtlpReceiver(OtlpIngest ingest)
{
    // gRPC status codes (grpc/doc/statuscodes.md).
    internal const int GrpcOk = 0;
    internal const int GrpcInvalidArgument = 3;
    internal const int GrpcResourceExhausted = 8;
    internal const int GrpcUnimplemented = 12;
    internal const int GrpcInternal = 13;

    private const string ProtobufContentType = "application/x-protobuf";
    private const string JsonContentType = "application/json";

    private int MaxBytes => ingest.Store.Limits.MaxRequestBytes;

    /// <summary>Requests refused as malformed, oversized or unsupported since start.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    private long _rejected;

    public static readonly IReadOnlyDictionary<string, string> GrpcMethods = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["/opentelemetry.proto.collector.trace.v1.TraceService/Export"] = "traces",
        ["/opentelemetry.proto.collector.logs.v1.LogsService/Export"] = "logs",
        ["/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"] = "metrics",
    };

    public async Task HandleHttpAsync(HttpContext context, string signal)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "POST";
            return;
        }

        var json = false;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !(mediaType.MediaType.Equals(ProtobufContentType, StringComparison.OrdinalIgnoreCase) ||
              (json = mediaType.MediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase))))
        {
            await RejectHttpAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Content-Type must be {ProtobufContentType} or {JsonContentType}.");
            return;
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        if (encoding.Length > 0 && !encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            await RejectHttpAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Content-Encoding '{encoding}' is not supported (gzip is).");
            return;
        }

        if (request.ContentLength > MaxBytes)
        {
            await RejectHttpAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request is larger than {MaxBytes} bytes.");
            return;
        }

        var body = await ReadUpToAsync(request.BodyReader, MaxBytes, context.RequestAborted);
        if (body is null)
        {
            await RejectHttpAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request is larger than {MaxBytes} bytes.");
            return;
        }

        if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
        {
            var inflated = Gunzip(body);
            if (inflated.Error is not null)
            {
                await RejectHttpAsync(context, inflated.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, inflated.Error);
                return;
            }

            body = inflated.Bytes!;
        }

        if (json)
        {
            var converted = OtlpJson.ToProtobuf(signal, body);
            if (converted.Error is not null)
            {
                await RejectHttpAsync(context, StatusCodes.Status400BadRequest, converted.Error, json: true);
                return;
            }

            body = converted.Bytes!;
        }

        var error = TryIngest(signal, body, out var reply);
        if (error is not null)
        {
            await RejectHttpAsync(context, StatusCodes.Status400BadRequest, error, json);
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = json ? JsonContentType : ProtobufContentType;
        await response.Body.WriteAsync(json ? System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(reply!)) : reply!.ToByteArray(), context.RequestAborted);
    }

    public async Task HandleGrpcAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!GrpcMethods.TryGetValue(request.Path.Value ?? string.Empty, out var signal))
        {
            Reject(context, GrpcUnimplemented, $"Method '{request.Path}' is not implemented.");
            return;
        }

        if (!HttpMethods.IsPost(request.Method) || request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
        {
            // gRPC over HTTP/2: a request that is not gRPC gets 415.
            Interlocked.Increment(ref _rejected);
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        var reader = request.BodyReader;
        var header = await ReadExactlyAsync(reader, 5, context.RequestAborted);
        if (header is null)
        {
            Reject(context, GrpcInternal, "The request has no complete message frame.");
            return;
        }

        var compressed = header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (compressed > 1)
        {
            Reject(context, GrpcInternal, "Invalid compression flag in the message frame.");
            return;
        }

        if (length > MaxBytes)
        {
            Reject(context, GrpcResourceExhausted, $"The message is larger than {MaxBytes} bytes.");
            return;
        }

        var message = await ReadExactlyAsync(reader, (int)length, context.RequestAborted);
        if (message is null)
        {
            Reject(context, GrpcInternal, "The request ended inside a message frame.");
            return;
        }

        if (compressed == 1)
        {
            var encoding = request.Headers["grpc-encoding"].ToString();
            if (!encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers["grpc-accept-encoding"] = "identity,gzip";
                Reject(context, GrpcUnimplemented, $"Message compression '{encoding}' is not supported (gzip is).");
                return;
            }

            var inflated = Gunzip(message);
            if (inflated.Error is not null)
            {
                Reject(context, inflated.TooLarge ? GrpcResourceExhausted : GrpcInternal, inflated.Error);
                return;
            }

            message = inflated.Bytes!;
        }

        var error = TryIngest(signal, message, out var reply);
        if (error is not null)
        {
            Reject(context, GrpcInvalidArgument, error);
            return;
        }

        var payload = reply!.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.DeclareTrailer("grpc-status");
        await response.Body.WriteAsync(frame, context.RequestAborted);
        response.AppendTrailer("grpc-status", "0");
    }

    /// <summary>Parses and stores one export request; returns an error for a malformed message.</summary>
    private string? TryIngest(string signal, byte[] body, out IMessage? reply)
    {
        reply = null;
        IMessage? request;
        try
        {
            request = signal switch
            {
                "traces" => ExportTraceServiceRequest.Parser.ParseFrom(body),
                "logs" => ExportLogsServiceRequest.Parser.ParseFrom(body),
                "metrics" => ExportMetricsServiceRequest.Parser.ParseFrom(body),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or ArgumentException or InvalidOperationException or OverflowException or IndexOutOfRangeException)
        {
            // Google.Protobuf reports most bad input as InvalidProtocolBufferException, some (bad lengths) otherwise.
            return $"The {signal} export request is not valid protobuf: {ex.Message}";
        }

        if (request is null)
        {
            return $"Unknown signal '{signal}'.";
        }

        switch (request)
        {
            case ExportTraceServiceRequest traces:
                ingest.Ingest(traces);
                reply = new ExportTraceServiceResponse();
                break;
            case ExportLogsServiceRequest logs:
                ingest.Ingest(logs);
                reply = new ExportLogsServiceResponse();
                break;
            case ExportMetricsServiceRequest metrics:
                ingest.Ingest(metrics);
                reply = new ExportMetricsServiceResponse();
                break;
            default:
                break;
        }

        return null;
    }

    private void Reject(HttpContext context, int grpcStatus, string message)
    {
        Interlocked.Increment(ref _rejected);

        // A trailers-only response: the status travels in the only HEADERS frame.
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = grpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }

    private async Task RejectHttpAsync(HttpContext context, int statusCode, string message, bool json = false)
    {
        Interlocked.Increment(ref _rejected);
        var response = context.Response;
        response.StatusCode = statusCode;

        // OTLP/HTTP answers failures with a google.rpc.Status message, in the request's encoding.
        var status = new RpcStatus { Code = statusCode == 413 ? GrpcResourceExhausted : GrpcInvalidArgument, Message = message };
        response.ContentType = json ? JsonContentType : ProtobufContentType;
        await response.Body.WriteAsync(json ? System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(status)) : status.ToByteArray(), context.RequestAborted);
    }

    /// <summary>Reads the whole body if it is at most <paramref name="limit"/> bytes; null when it is longer.</summary>
    private static async Task<byte[]?> ReadUpToAsync(PipeReader reader, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes; null if the body ends first.</summary>
    private static async Task<byte[]?> ReadExactlyAsync(PipeReader reader, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return [];
        }

        var result = await reader.ReadAtLeastAsync(count, cancellationToken);
        var buffer = result.Buffer;
        if (buffer.Length < count)
        {
            reader.AdvanceTo(buffer.End);
            return null;
        }

        var bytes = buffer.Slice(0, count).ToArray();
        reader.AdvanceTo(buffer.GetPosition(count));
        return bytes;
    }

    private (byte[]? Bytes, string? Error, bool TooLarge) Gunzip(byte[] compressed)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > MaxBytes)
                {
                    return (null, $"The request is larger than {MaxBytes} bytes once decompressed.", true);
                }

                output.Write(chunk, 0, read);
            }

            return (output.ToArray(), null, false);
        }
        catch (InvalidDataException ex)
        {
            return (null, $"The body is not valid gzip: {ex.Message}", false);
        }
    }
}
