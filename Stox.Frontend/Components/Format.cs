using System.Globalization;
using Stox.Frontend.Backends;

namespace Stox.Frontend.Components;

public static class Format
{
    public static string Bytes(long? bytes) => bytes switch
    {
        null => "-",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes.Value / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (bytes.Value / (1024d * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes.Value / (1024d * 1024 * 1024)).ToString("0.##", CultureInfo.InvariantCulture) + " GB",
    };

    public static string Date(DateTimeOffset? at) => at?.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "never";

    public static string Status(string status, double? progress) => status switch
    {
        ImageStatus.Pending => "Waiting",
        ImageStatus.Processing when Percent(progress) is { } percent => $"Processing {percent}%",
        ImageStatus.Processing => "Processing",
        ImageStatus.Complete => "Ready",
        ImageStatus.Failed => "Failed",
        _ => status,
    };

    /// <summary>Progress as a whole percentage, whether jobs reports a fraction (0-1) or a percentage.</summary>
    public static int? Percent(double? progress) => progress switch
    {
        null or <= 0 => null,
        <= 1 => (int)Math.Round(progress.Value * 100),
        < 100 => (int)Math.Round(progress.Value),
        _ => null,
    };

    public static string Credits(int credits) => credits is 1 or -1 ? $"{credits} credit" : $"{credits} credits";

    /// <summary>A ledger amount with its sign: +10, -2.</summary>
    public static string Signed(int amount) => amount > 0 ? $"+{amount}" : amount.ToString(CultureInfo.InvariantCulture);

    public static string CreditKind(string kind) => kind switch
    {
        "grant" => "Monthly grant",
        "purchase" => "Purchase",
        "spend" => "Generation",
        "refund" => "Refund",
        "adjustment" => "Adjustment",
        _ => kind,
    };

    public static string Preset(string preset) => preset switch
    {
        "thumbnail" => "Thumbnail",
        "small" => "Small",
        "medium" => "Medium",
        "large" => "Large",
        "original" => "Original size",
        _ => preset,
    };
}
