using System.Diagnostics.CodeAnalysis;

namespace Stox.Auth.Infrastructure;

/// <summary>Collects field errors for a <see cref="Problems.Validation(IDictionary{string, string[]})"/> answer.</summary>
public sealed class FieldErrors
{
    public const int MaxEmailLength = 254;
    public const int MaxDisplayNameLength = 100;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string error)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(error);
    }

    public bool Required(string field, [NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, $"The {field} is required.");
            return false;
        }

        return true;
    }

    /// <summary>Validates and normalises an email (trimmed, lower case); null when invalid.</summary>
    public string? Email(string field, string? value)
    {
        if (!Required(field, value))
        {
            return null;
        }

        var email = value.Trim().ToLowerInvariant();
        if (email.Length > MaxEmailLength)
        {
            Add(field, $"The {field} must be at most {MaxEmailLength} characters long.");
            return null;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        var valid = at > 0 && at <= 64 && at == email.LastIndexOf('@') && at < email.Length - 1
            && email.AsSpan(at + 1).Contains('.') && !email.EndsWith('.') && !email.AsSpan(at + 1).StartsWith(".")
            && !email.Contains("..", StringComparison.Ordinal)
            && email.All(c => c > ' ' && c < 127 && c is not ('(' or ')' or '<' or '>' or ',' or ';' or ':' or '\\' or '"' or '[' or ']'));
        if (!valid)
        {
            Add(field, $"The {field} is not a valid email address.");
            return null;
        }

        return email;
    }

    /// <summary>A display name: trimmed, 1 to 100 characters, no control characters; null input stays null.</summary>
    public string? DisplayName(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        var name = value.Trim();
        if (name.Length == 0)
        {
            Add(field, $"The {field} cannot be blank.");
        }
        else if (name.Length > MaxDisplayNameLength)
        {
            Add(field, $"The {field} must be at most {MaxDisplayNameLength} characters long.");
        }
        else if (name.Any(char.IsControl))
        {
            Add(field, $"The {field} cannot contain control characters.");
        }

        return name;
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
