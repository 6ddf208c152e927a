using Stox.Frontend.Backends;

namespace Stox.Frontend.Sessions;

/// <summary>Calls auth or jobs as the signed-in user, refreshing once if the access token was refused.</summary>
public sealed class UserApi(IHttpContextAccessor accessor, SessionManager sessions)
{
    public async Task<ApiResult<T>> CallAsync<T>(Func<string, Task<ApiResult<T>>> call)
    {
        var context = accessor.HttpContext ?? throw new InvalidOperationException("No request.");
        if (await sessions.GetCurrentAsync(context) is not { } session)
        {
            return ApiResult<T>.Fail(new ApiProblem(401, null, null, null, ApiProblem.Empty, null));
        }

        var result = await call(session.AccessToken);
        if (result.Problem?.Status == 401 && await sessions.RefreshAfterRejectionAsync(context, session.AccessToken) is { } fresh)
        {
            result = await call(fresh.AccessToken);
        }

        return result;
    }

    public async Task<string?> AccessTokenAsync() =>
        (await sessions.GetCurrentAsync(accessor.HttpContext ?? throw new InvalidOperationException("No request.")))?.AccessToken;
}
