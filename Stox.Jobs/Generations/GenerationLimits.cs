namespace Stox.Jobs.Generations;

/// <summary>
/// The bounds of a generation request, shared by the API's checks, the database columns and the web app. The
/// styles and aspect ratios are the providers' (<see cref="Providers.ImageStyles"/>, <see cref="Providers.AspectRatios"/>).
/// </summary>
public static class GenerationLimits
{
    public const int MaxPromptLength = 2000;

    public const int MaxCount = 4;

    /// <summary>Stability's range for <c>seed</c>; OpenAI-compatible servers that take one accept it too.</summary>
    public const long MaxSeed = 4_294_967_294;
}
