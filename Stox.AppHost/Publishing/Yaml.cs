using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Stox.AppHost.Publishing;

/// <summary>YAML out of plain maps and lists, keys in insertion order, strings quoted wherever YAML 1.1 or 1.2 would read them as something else.</summary>
internal static class Yaml
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)
        .WithEventEmitter(next => new MultilineLiteralEmitter(next))
        .DisableAliases()
        .Build();

    public static string Serialize(object document) => Serializer.Serialize(document);

    /// <summary>Several documents in one file, separated by <c>---</c>.</summary>
    public static string SerializeAll(IEnumerable<object> documents) => string.Join("---\n", documents.Select(Serialize));

    /// <summary>A map whose keys keep the order they are added in.</summary>
    public static Dictionary<string, object> Map() => new(StringComparer.Ordinal);

    /// <summary>Writes text of several lines (a SQL script) as a literal block, line for line.</summary>
    private sealed class MultilineLiteralEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n', StringComparison.Ordinal))
            {
                eventInfo.Style = ScalarStyle.Literal;
            }

            base.Emit(eventInfo, emitter);
        }
    }
}
