using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stox.Hosting.Dashboard.Otlp;
using Stox.Hosting.Dashboard.Pages;
using Stox.Hosting.Dashboard.Telemetry;
using Stox.Hosting.Orchestration;

namespace Stox.Hosting.Dashboard;

/// <summary>What the dashboard shows and acts on; the app gives it its services, tests may give their own.</summary>
public sealed record DashboardContext(
    ResourceNotificationService Notifications,
    ResourceLogService Logs,
    ResourceEnvironments Environments,
    Func<string, string, CancellationToken, Task>? ExecuteCommand = null);

/// <summary>Where the dashboard listens and what it accepts.</summary>
public sealed record DashboardSettings
{
    /// <summary>The browser port; a free port when null or taken.</summary>
    public int? Port { get; init; } = 18888;

    public int? OtlpGrpcPort { get; init; } = 18889;

    public int? OtlpHttpPort { get; init; } = 18890;

    /// <summary>The browser token; a random one when null.</summary>
    public string? Token { get; init; }

    public TelemetryLimits Limits { get; init; } = new();
}

/// <summary>
/// The AppHost's developer dashboard: Kestrel inside the AppHost, serving server-rendered pages with a little
/// JavaScript for live updates, and the OTLP receiver (gRPC and HTTP, each on its own port) that feeds them.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[] _token;
    private readonly string _session;
    private readonly Dictionary<string, Task> _commands = new(StringComparer.Ordinal);
    private readonly Lock _commandsLock = new();
    private readonly CancellationTokenSource _stopping = new();

    private DashboardServer(WebApplication app, DashboardContext context, TelemetryStore telemetry, OtlpReceiver receiver, string token, int port, int grpcPort, int httpPort)
    {
        _app = app;
        Context = context;
        Telemetry = telemetry;
        Receiver = receiver;
        Token = token;
        _token = Encoding.UTF8.GetBytes(token);
        _session = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Url = new Uri($"http://localhost:{port}");

        // Cookies are shared by every port of a host: one name per dashboard, so two AppHosts do not log each other out.
        CookieName = $"stox_dashboard_{port}";
        OtlpGrpcEndpoint = $"http://localhost:{grpcPort}";
        OtlpHttpEndpoint = $"http://localhost:{httpPort}";
    }

    public Uri Url { get; }

    internal string CookieName { get; }

    /// <summary>The URL to open: it carries the one-time browser token and sets the session cookie.</summary>
    public string LoginUrl => $"{Url.ToString().TrimEnd('/')}/login?t={Uri.EscapeDataString(Token)}";

    public string Token { get; }

    public string OtlpGrpcEndpoint { get; }

    public string OtlpHttpEndpoint { get; }

    public TelemetryStore Telemetry { get; }

    internal OtlpReceiver Receiver { get; }

    internal DashboardContext Context { get; }

    internal CancellationToken Stopping => _stopping.Token;

    public static async Task<DashboardServer> StartAsync(DashboardSettings settings, DashboardContext context, CancellationToken cancellationToken = default)
    {
        var port = ChoosePort(settings.Port);
        var grpcPort = ChoosePort(settings.OtlpGrpcPort, port);
        var httpPort = ChoosePort(settings.OtlpHttpPort, port, grpcPort);
        var token = settings.Token ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Well above the OTLP limit so the receiver, not Kestrel, answers an oversized export (413): Kestrel
            // drains what the client still sends up to this size, beyond it the connection is dropped.
            kestrel.Limits.MaxRequestBodySize = Math.Max(64L * 1024 * 1024, settings.Limits.MaxRequestBytes * 4L);
            kestrel.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http1);
            kestrel.ListenLocalhost(grpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.ListenLocalhost(httpPort, o => o.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();

        var telemetry = new TelemetryStore(settings.Limits);
        var receiver = new OtlpReceiver(new OtlpIngest(telemetry));
        var server = new DashboardServer(app, context, telemetry, receiver, token, port, grpcPort, httpPort);

        // One Kestrel, three doors: the port a request came in on decides what may answer it.
        app.Use(async (http, next) =>
        {
            var local = http.Connection.LocalPort;
            if (local == grpcPort)
            {
                await receiver.HandleGrpcAsync(http);
            }
            else if (local == httpPort)
            {
                var signal = http.Request.Path.Value switch
                {
                    "/v1/traces" => "traces",
                    "/v1/logs" => "logs",
                    "/v1/metrics" => "metrics",
                    _ => null,
                };
                if (signal is null)
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                }
                else
                {
                    await receiver.HandleHttpAsync(http, signal);
                }
            }
            else
            {
                await next(http);
            }
        });
        app.Use(server.AuthenticateAsync);
        DashboardEndpoints.Map(app, server);
        await app.StartAsync(cancellationToken);
        return server;
    }

    /// <summary>Runs a start/stop/restart for a resource, one at a time per resource; the page follows the state through events.</summary>
    internal bool TryRunCommand(string resource, string command)
    {
        if (Context.ExecuteCommand is not { } execute)
        {
            return false;
        }

        lock (_commandsLock)
        {
            if (_stopping.IsCancellationRequested || (_commands.TryGetValue(resource, out var running) && !running.IsCompleted))
            {
                return false;
            }

            _commands[resource] = RunCommandAsync(resource, command, execute);
            return true;
        }
    }

    private async Task RunCommandAsync(string resource, string command, Func<string, string, CancellationToken, Task> execute)
    {
        await Task.Yield();
        try
        {
            Context.Logs.Write(resource, $"[dashboard] {command} requested.");
            await execute(resource, command, _stopping.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Reported where a person looks for it: the resource's console and its state.
            Context.Logs.Write(resource, $"[dashboard] {command} failed: {ex.Message}", isError: true);
        }
    }

    private async Task AuthenticateAsync(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path.StartsWith("/assets/", StringComparison.Ordinal))
        {
            await next(http);
            return;
        }

        if (path == "/login")
        {
            await LoginAsync(http);
            return;
        }

        if (http.Request.Cookies.TryGetValue(CookieName, out var cookie) &&
            CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(cookie), Encoding.UTF8.GetBytes(_session)))
        {
            // Commands change state: a cross-site form cannot send this header without a CORS preflight we never grant.
            if (HttpMethods.IsPost(http.Request.Method) && http.Request.Headers["X-Stox-Dashboard"] != "1")
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            await next(http);
            return;
        }

        if (HttpMethods.IsGet(http.Request.Method) && !path.StartsWith("/api/", StringComparison.Ordinal))
        {
            http.Response.Redirect("/login?returnUrl=" + Uri.EscapeDataString(path + http.Request.QueryString));
            return;
        }

        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
    }

    private async Task LoginAsync(HttpContext http)
    {
        string? token = http.Request.Query["t"];
        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            token = form["token"];
        }

        if (token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token.Trim()), _token))
        {
            http.Response.Cookies.Append(CookieName, _session, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                IsEssential = true,
            });
            string? returnUrl = http.Request.Query["returnUrl"];
            http.Response.Redirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) ? returnUrl : "/");
            return;
        }

        http.Response.StatusCode = token is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(Layout.Login(token is not null, http.Request.Query["returnUrl"].ToString()), http.RequestAborted);
    }

    private static int ChoosePort(int? preferred, params int[] taken) =>
        preferred is { } port and > 0 && !taken.Contains(port) && PortAllocator.IsFree(port) ? port : FreePortExcept(taken);

    private static int FreePortExcept(int[] taken)
    {
        while (true)
        {
            var port = PortAllocator.GetFreePort();
            if (!taken.Contains(port))
            {
                return port;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            Task[] running;
            lock (_commandsLock)
            {
                running = [.. _commands.Values];
            }

            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // The app is stopping everything anyway.
        }

        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
