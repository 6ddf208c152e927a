using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Stox.ServiceDefaults.Problems;

/// <summary>How every Stox service builds an RFC 9457 problem: a stable <c>type</c> under one base URI, a title, a human detail.</summary>
public static class StoxProblems
{
    public const string TypeBase = "https://stox.dev/problems/";

    public static ProblemHttpResult Create(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Type = TypeBase + type, Title = title, Detail = detail };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        return TypedResults.Problem(problem);
    }

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "One or more fields are invalid.", type: TypeBase + "validation", title: "Invalid request");

    public static ValidationProblem Validation(string field, string error) => Validation(new Dictionary<string, string[]> { [field] = [error] });
}
