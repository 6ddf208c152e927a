using System.Text;
using System.Text.RegularExpressions;

namespace Stox.Hosting.Publishing;

/// <summary>
/// Reads the references in an Aspire manifest expression (<c>{resource.bindings.endpoint.property}</c>,
/// <c>{parameter.value}</c>, <c>{resource.connectionString}</c>) so a publisher can write them in its own
/// terms. Text outside braces is kept as it is.
/// </summary>
public static partial class ManifestExpression
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
                    : new ParameterPart(resource));
            last = match.Index + match.Length;
        }

        if (last < expression.Length)
        {
            parts.Add(new LiteralPart(expression[last..]));
        }

        return parts;
    }

    /// <summary>Rewrites every reference with <paramref name="resolve"/>, escaping literal text with <paramref name="escapeLiteral"/>.</summary>
    public static string Resolve(string expression, Func<ReferencePart, string> resolve, Func<string, string>? escapeLiteral = null)
    {
        var sb = new StringBuilder();
        foreach (var part in Parse(expression))
        {
            sb.Append(part switch
            {
                LiteralPart literal => escapeLiteral is null ? literal.Text : escapeLiteral(literal.Text),
                ReferencePart reference => resolve(reference),
                _ => throw new InvalidOperationException(),
            });
        }

        return sb.ToString();
    }

    /// <summary>The parameter when the whole expression is exactly <c>{name.value}</c>.</summary>
    public static string? AsParameter(string expression) =>
        Parse(expression) is [ParameterPart parameter] ? parameter.Parameter : null;

    [GeneratedRegex(@"\{(?<resource>[A-Za-z][A-Za-z0-9-]*)\.(?:bindings\.(?<endpoint>[A-Za-z0-9-]+)\.(?<property>url|host|port|targetPort|scheme)|(?<what>value|inputs\.value|connectionString))\}")]
    private static partial Regex ReferencePattern();
}

public abstract record ExpressionPart;

public sealed record LiteralPart(string Text) : ExpressionPart;

public abstract record ReferencePart : ExpressionPart;

public sealed record EndpointPart(string Resource, string Endpoint, string Property) : ReferencePart;

public sealed record ParameterPart(string Parameter) : ReferencePart;

public sealed record ConnectionStringPart(string Resource) : ReferencePart;
