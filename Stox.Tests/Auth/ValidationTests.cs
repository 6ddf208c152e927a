using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Stox.Tests.Auth;

[Collection(AuthCollection.Name)]
public sealed class ValidationTests(AuthAppFixture fixture)
{
    private async Task<ProblemDto> PostExpecting400Async(string path, HttpContent content)
    {
        using var client = fixture.CreateClient();
        using var response = await client.PostAsync(path, content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDto>())!;
        Assert.NotNull(problem.Errors);
        return problem;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("/api/auth/register")]
    [InlineData("/api/auth/login")]
    [InlineData("/api/auth/refresh")]
    [InlineData("/api/auth/logout")]
    public async Task Malformed_json_is_a_field_level_400(string path)
    {
        var problem = await PostExpecting400Async(path, Json("{\"email\": "));
        Assert.True(problem.Errors!.ContainsKey("body"));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400()
    {
        var problem = await PostExpecting400Async("/api/auth/login", new StringContent("email=a@b.c", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.True(problem.Errors!.ContainsKey("body"));
    }

    [Fact]
    public async Task A_field_of_the_wrong_type_is_named()
    {
        var problem = await PostExpecting400Async("/api/auth/login", Json("{\"email\": 5, \"password\": \"x\"}"));
        Assert.True(problem.Errors!.ContainsKey("email"));
    }

    [Fact]
    public async Task Missing_fields_are_each_reported()
    {
        var problem = await PostExpecting400Async("/api/auth/register", Json("{}"));
        Assert.True(problem.Errors!.ContainsKey("email"));
        Assert.True(problem.Errors.ContainsKey("password"));
        Assert.EndsWith("/validation", problem.Type, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_long_fields_are_refused()
    {
        var longEmail = new string('a', 64) + "@" + new string('b', 186) + ".com"; // 255 characters
        var problem = await PostExpecting400Async("/api/auth/register", JsonContent.Create(new
        {
            email = longEmail,
            password = new string('p', 129),
            displayName = new string('d', 101),
        }));
        Assert.Contains("254", Assert.Single(problem.Errors!["email"]), StringComparison.Ordinal);
        Assert.Contains("128", Assert.Single(problem.Errors["password"]), StringComparison.Ordinal);
        Assert.Contains("100", Assert.Single(problem.Errors["displayName"]), StringComparison.Ordinal);

        var login = await PostExpecting400Async("/api/auth/login", JsonContent.Create(new { email = "a@b.co", password = new string('p', 129) }));
        Assert.True(login.Errors!.ContainsKey("password"));
    }

    [Theory]
    [InlineData("plainaddress")]
    [InlineData("@no-local.com")]
    [InlineData("no-domain@")]
    [InlineData("a@@b.com")]
    [InlineData("two words@b.com")]
    [InlineData("a@nodot")]
    [InlineData("a@b..com")]
    [InlineData("Name <a@b.com>")]
    public async Task Invalid_emails_are_refused(string email)
    {
        var problem = await PostExpecting400Async("/api/auth/register", JsonContent.Create(new { email, password = "a-fine-password-1" }));
        Assert.True(problem.Errors!.ContainsKey("email"));
    }

    [Fact]
    public async Task Nothing_is_written_when_a_request_is_refused()
    {
        var email = AuthAppFixture.NewEmail();
        await PostExpecting400Async("/api/auth/register", JsonContent.Create(new { email, password = "a-fine-password-1", displayName = new string('d', 101) }));

        // The email is still free: the refused request left no user behind.
        await fixture.RegisterAsync(email, "a-fine-password-1");
    }
}
