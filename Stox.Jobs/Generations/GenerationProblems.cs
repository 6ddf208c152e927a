using Microsoft.AspNetCore.Http.HttpResults;
using Stox.ServiceDefaults.Problems;

namespace Stox.Jobs.Generations;

/// <summary>Why a generation or a credits change was refused (RFC 9457, types under https://stox.dev/problems/).</summary>
public static class GenerationProblems
{
    public const string NotConfiguredDetail = "Image generation is not configured on this server: an administrator has to choose a provider and give it an API key.";

    public static ProblemHttpResult NotConfigured() =>
        StoxProblems.Create(503, "generation-not-configured", "Image generation is off", NotConfiguredDetail);

    public static ProblemHttpResult InsufficientCredits(int cost, int balance) =>
        StoxProblems.Create(402, "insufficient-credits", "Not enough credits",
            $"This generation costs {Credits(cost)} and your balance is {Credits(balance)}.",
            new Dictionary<string, object?> { ["cost"] = cost, ["balance"] = balance });

    public static ProblemHttpResult CannotTake(int amount, int balance) =>
        StoxProblems.Create(409, "insufficient-credits", "Not enough credits to take",
            $"Taking {Credits(amount)} would leave a negative balance: the user has {Credits(balance)}.",
            new Dictionary<string, object?> { ["amount"] = amount, ["balance"] = balance });

    /// <summary>A 422 naming each bad field; <c>field</c> is the first, for clients that show one message.</summary>
    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors)
    {
        var (field, messages) = errors.First();
        return StoxProblems.Create(422, "invalid-generation", "Invalid generation request", messages[0],
            new Dictionary<string, object?> { ["field"] = field, ["errors"] = errors });
    }

    public static ProblemHttpResult NotFound() =>
        StoxProblems.Create(404, "not-found", "Not found", "The generation does not exist.");

    private static string Credits(int n) => n == 1 ? "1 credit" : $"{n} credits";
}
