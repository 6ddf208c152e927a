using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Stox.Hosting;

/// <summary>Something whose value is known only in run mode (a port, a generated password).</summary>
public interface IValueProvider
{
    ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default);
}

/// <summary>Something the manifest writes as an expression such as <c>{postgres.bindings.tcp.host}</c>.</summary>
public interface IManifestExpressionProvider
{
    string ValueExpression { get; }
}

/// <summary>
/// A string made of literals and references, like Aspire's ReferenceExpression: evaluated to a concrete
/// value in run mode, written as a binding expression in publish mode.
/// </summary>
public sealed class ReferenceExpression : IValueProvider, IManifestExpressionProvider
{
    private readonly IReadOnlyList<object> _parts;

    private ReferenceExpression(IReadOnlyList<object> parts) => _parts = parts;

    public static ReferenceExpression Create(ReferenceExpressionBuilder builder) => new(builder.Parts);

    public static ReferenceExpression Literal(string value) => new([value]);

    public IEnumerable<IValueProvider> ValueProviders => _parts.OfType<IValueProvider>();

    public string ValueExpression
    {
        get
        {
            var sb = new StringBuilder();
            foreach (var part in _parts)
            {
                sb.Append(part is IManifestExpressionProvider provider ? provider.ValueExpression : (string)part);
            }

            return sb.ToString();
        }
    }

    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default)
    {
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            sb.Append(part is IValueProvider provider ? await provider.GetValueAsync(cancellationToken) : (string)part);
        }

        return sb.ToString();
    }

    public override string ToString() => ValueExpression;
}

[InterpolatedStringHandler]
public sealed class ReferenceExpressionBuilder
{
    internal List<object> Parts { get; } = [];

    public ReferenceExpressionBuilder(int literalLength, int formattedCount)
    {
        _ = literalLength;
        _ = formattedCount;
    }

    public void AppendLiteral(string value) => Parts.Add(value);

    public void AppendFormatted(string? value) => Parts.Add(value ?? string.Empty);

    public void AppendFormatted(int value) => Parts.Add(value.ToString(CultureInfo.InvariantCulture));

    public void AppendFormatted<T>(T value) where T : IValueProvider, IManifestExpressionProvider => Parts.Add(value);
}
