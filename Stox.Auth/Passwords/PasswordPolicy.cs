using System.Collections.Frozen;
using System.Reflection;

namespace Stox.Auth.Passwords;

/// <summary>
/// What a new password must be: 10 to 128 characters, not the email (nor its local part), not one of the most
/// common passwords (a built-in list, compared case-insensitively).
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    private static readonly FrozenSet<string> Common = LoadCommon();

    /// <summary>The reason the password is refused, or null when it is acceptable.</summary>
    public static string? Check(string password, string? normalizedEmail)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length < MinLength)
        {
            return $"The password must be at least {MinLength} characters long.";
        }

        if (password.Length > MaxLength)
        {
            return $"The password must be at most {MaxLength} characters long.";
        }

        var lowered = password.Trim().ToLowerInvariant();
        if (normalizedEmail is not null)
        {
            var local = normalizedEmail.Split('@')[0];
            if (lowered == normalizedEmail || lowered == local)
            {
                return "The password must not be your email address.";
            }
        }

        if (Common.Contains(lowered))
        {
            return "This password is too common; choose another one.";
        }

        return null;
    }

    public static bool IsCommon(string password) => Common.Contains(password.ToLowerInvariant());

    private static FrozenSet<string> LoadCommon()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Stox.Auth.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var word = line.Trim();
            if (word.Length > 0 && !word.StartsWith('#'))
            {
                words.Add(word.ToLowerInvariant());
            }
        }

        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
