using System.Text.RegularExpressions;

namespace Stox.Hosting.Dashboard;

/// <summary>Masks secrets in environment variables before they are kept for display.</summary>
public static partial class SecretMasker
{
    public const string Placeholder = "******";

    private static readonly string[] SecretKeyParts = ["PASSWORD", "PASSWD", "PASS", "SECRET", "KEY", "TOKEN", "CREDENTIAL", "COOKIE"];

    /// <summary>
    /// The whole value when the variable's name says it is a secret; otherwise only the secret parts of the
    /// value: <c>Password=..</c>, <c>SecretKey=..</c> and the like in connection strings, and the password in a URL's user info.
    /// </summary>
    public static string MaskValue(string key, string value)
    {
        if (value.Length == 0)
        {
            return value;
        }

        var upper = key.ToUpperInvariant();
        if (!upper.StartsWith("CONNECTIONSTRINGS", StringComparison.Ordinal) && SecretKeyParts.Any(p => upper.Contains(p, StringComparison.Ordinal)))
        {
            return Placeholder;
        }

        var masked = SecretPair().Replace(value, m => m.Groups["name"].Value + "=" + Placeholder);
        return UrlUserInfo().Replace(masked, m => m.Groups["prefix"].Value + Placeholder + "@");
    }

    [GeneratedRegex(@"(?<name>\b(?:password|pwd|pass|secretkey|secret|accesskey|token|apikey|key))=[^;,\s]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretPair();

    [GeneratedRegex(@"(?<prefix>[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@/\s]+@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInfo();
}
