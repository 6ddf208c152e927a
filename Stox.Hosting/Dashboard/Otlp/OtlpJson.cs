using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Stox.Hosting.Dashboard.Otlp.Protocol;

namespace Stox.Hosting.Dashboard.Otlp;

/// <summary>
/// OTLP/JSON: the proto3 JSON mapping, except that trace and span ids are hex, not base64, and enums are
/// integers. Ids are rewritten to base64, then Google.Protobuf's parser reads the message, ignoring the
/// fields our .proto files leave out.
/// </summary>
internal static class OtlpJson
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true).WithRecursionLimit(64));
    private static readonly HashSet<string> IdFields = new(StringComparer.Ordinal) { "traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id" };

    public static (byte[]? Bytes, string? Error) ToProtobuf(string signal, byte[] body)
    {
        try
        {
            var node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            RewriteIds(node);
            var json = node?.ToJsonString() ?? "{}";
            IMessage message = signal switch
            {
                "traces" => Parser.Parse<ExportTraceServiceRequest>(json),
                "logs" => Parser.Parse<ExportLogsServiceRequest>(json),
                _ => Parser.Parse<ExportMetricsServiceRequest>(json),
            };
            return (message.ToByteArray(), null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidProtocolBufferException or FormatException or InvalidOperationException or ArgumentException or IOException)
        {
            return (null, $"The {signal} export request is not valid OTLP/JSON: {ex.Message}");
        }
    }

    private static void RewriteIds(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (IdFields.Contains(key) && value is JsonValue id && id.TryGetValue<string>(out var hex))
                    {
                        obj[key] = hex.Length == 0 ? string.Empty : Convert.ToBase64String(Convert.FromHexString(hex));
                    }
                    else
                    {
                        RewriteIds(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RewriteIds(item);
                }

                break;
            default:
                break;
        }
    }
}
