using System.Text;
using System.Text.RegularExpressions;

namespace Stox.AppHost.Publishing;

/// <summary>
/// The references in an Aspire manifest expression (<c>{resource.bindings.endpoint.property}</c>, <c>{parameter.value}</c>,
/// <c>{resource.connectionString}</c>), so a publisher can write them in its own terms. Text outside braces is literal.
/// </summary>
internal static partial class ManifestExpression
{
    public static IReadOnlyList<ExpressionPart> Parse(string expression)
    {
        var parts = new List<ExpressionPart>();
        var last = 0;
        foreach (Match match in ReferencePattern().Matches(expression))
        {
            if (match.Index > last)
            {
                parts.Add(new LiteralPart(expression[last..match.Index]));
            }

            var resource = match.Groups["resource"].Value;
            parts.Add(match.Groups["endpoint"].Success
                ? new EndpointPart(resource, match.Groups["endpoint"].Value, match.Groups["property"].Value)
                : match.Groups["what"].Value == "connectionString"
                    ? new ConnectionStringPart(resource)
                    : new ValuePart(resource));
            last = match.Index + match.Length;
        }

        if (last < expression.Length)
        {
            parts.Add(new LiteralPart(expression[last..]));
        }

        return parts;
    }

    /// <summary>Rewrites every reference with <paramref name="resolve"/>, and literal text with <paramref name="literal"/>.</summary>
    public static string Resolve(string expression, Func<ReferencePart, string> resolve, Func<string, string> literal)
    {
        var sb = new StringBuilder();
        foreach (var part in Parse(expression))
        {
            sb.Append(part switch
            {
                LiteralPart text => literal(text.Text),
                ReferencePart reference => resolve(reference),
                _ => throw new InvalidOperationException(),
            });
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"\{(?<resource>[A-Za-z][A-Za-z0-9-]*)\.(?:bindings\.(?<endpoint>[A-Za-z0-9-]+)\.(?<property>url|host|port|targetPort|scheme)|(?<what>value|inputs\.value|connectionString))\}")]
    private static partial Regex ReferencePattern();
}

internal abstract record ExpressionPart;

internal sealed record LiteralPart(string Text) : ExpressionPart;

internal abstract record ReferencePart(string Resource) : ExpressionPart;

internal sealed record EndpointPart(string Resource, string Endpoint, string Property) : ReferencePart(Resource);

/// <summary><c>{name.value}</c>: a parameter, or a value derived from one (<c>annotated.string</c>).</summary>
internal sealed record ValuePart(string Resource) : ReferencePart(Resource);

internal sealed record ConnectionStringPart(string Resource) : ReferencePart(Resource);
