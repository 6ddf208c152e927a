using Stox.Jobs.Apis;
using Stox.Jobs.Generations.Providers;
using Stox.Jobs.Uploads;

namespace Stox.Jobs.Generations;

/// <summary>A generation request as checked: every value in range, defaults filled in.</summary>
public sealed record CheckedGeneration(string Prompt, string? NegativePrompt, string? Style, string AspectRatio, long? Seed, int Count, bool Enhance, string[] Formats);

/// <summary>Checks what <c>POST /api/generations</c> was sent and names each field that is wrong.</summary>
public static class GenerationRequestRules
{
    public static CheckedGeneration? Check(GenerationRequest request, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var prompt = request.Prompt?.Trim();
        if (string.IsNullOrEmpty(prompt))
        {
            errors["prompt"] = ["Write a prompt: describe the picture you want."];
        }
        else if (prompt.Length > GenerationLimits.MaxPromptLength)
        {
            errors["prompt"] = [$"The prompt is {prompt.Length} characters; at most {GenerationLimits.MaxPromptLength} are allowed."];
        }
        else if (HasControlCharacters(prompt))
        {
            errors["prompt"] = ["The prompt contains control characters; only text, spaces and line breaks are allowed."];
        }

        var negative = string.IsNullOrWhiteSpace(request.NegativePrompt) ? null : request.NegativePrompt.Trim();
        if (negative is not null && negative.Length > GenerationLimits.MaxPromptLength)
        {
            errors["negativePrompt"] = [$"The negative prompt is {negative.Length} characters; at most {GenerationLimits.MaxPromptLength} are allowed."];
        }
        else if (negative is not null && HasControlCharacters(negative))
        {
            errors["negativePrompt"] = ["The negative prompt contains control characters; only text, spaces and line breaks are allowed."];
        }

        var style = string.IsNullOrWhiteSpace(request.Style) ? null : request.Style.Trim().ToLowerInvariant();
        if (style is not null && !ImageStyles.All.Contains(style))
        {
            errors["style"] = [$"'{Shorten(request.Style!)}' is not a style; use one of {string.Join(", ", ImageStyles.All)}."];
        }

        var aspectRatio = string.IsNullOrWhiteSpace(request.AspectRatio) ? AspectRatios.Default : request.AspectRatio.Trim();
        if (!AspectRatios.All.Contains(aspectRatio))
        {
            errors["aspectRatio"] = [$"'{Shorten(aspectRatio)}' is not an aspect ratio; use one of {string.Join(", ", AspectRatios.All)}."];
        }

        if (request.Seed is < 0 or > GenerationLimits.MaxSeed)
        {
            errors["seed"] = [$"The seed must be a whole number from 0 to {GenerationLimits.MaxSeed}."];
        }

        var count = request.Count ?? 1;
        if (count is < 1 or > GenerationLimits.MaxCount)
        {
            errors["count"] = [$"count must be from 1 to {GenerationLimits.MaxCount} pictures."];
        }

        if (!UploadFields.TryParseFormats(request.Formats, out var formats, out var formatError))
        {
            errors["formats"] = [formatError!];
        }

        return errors.Count > 0
            ? null
            : new CheckedGeneration(prompt!, negative, style, aspectRatio, request.Seed, count, request.Enhance ?? false, formats);
    }

    private static bool HasControlCharacters(string text) => text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t');

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
