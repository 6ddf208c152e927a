using System.Net;
using System.Net.Sockets;
using Stox.Hosting;
using Stox.Hosting.Orchestration;
using Stox.Hosting.Testing;

namespace Stox.Tests.Hosting;

/// <summary>Starting, failing and stopping resources, each test with its own small app model.</summary>
public sealed class ResourceLifecycleTests
{
    [Fact]
    public async Task Dispose_leaves_no_child_process_behind()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();
        builder.KeepOnly("postgres", "cache", "messaging", "storage");
        var app = await builder.BuildAsync();
        await app.StartAsync();
        var processes = app.ProcessIds;
        var stateDirectory = app.StateDirectory;

        // RabbitMQ alone is a shell, beam, epmd and Erlang's helpers: the whole tree must go.
        Assert.True(processes.Count >= 6, $"expected the servers and their children, got {processes.Count} processes");
        await app.DisposeAsync();

        Assert.DoesNotContain(processes, ProcessTree.IsAlive);
        Assert.False(Directory.Exists(stateDirectory));
    }

    [Fact]
    public async Task A_missing_binary_fails_fast_naming_the_resource_and_its_package()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();
        builder.KeepOnly("postgres");
        ((PostgresServerResource)builder.GetResource("postgres")).BinDirectory = "/nonexistent/postgresql/bin";
        await using var app = await builder.BuildAsync();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync());

        Assert.Contains("'postgres'", error.Message, StringComparison.Ordinal);
        Assert.Contains("postgresql", error.Message, StringComparison.Ordinal);
        Assert.Equal(KnownResourceStates.FailedToStart, app.ResourceNotifications.Get("postgres")!.State);
    }

    [Fact]
    public async Task A_server_that_exits_at_start_fails_fast_with_its_last_log_lines()
    {
        var bin = Directory.CreateTempSubdirectory("stox-broken-pg-").FullName;
        // As root the tools run as the 'postgres' user, who must be able to reach them.
        File.SetUnixFileMode(bin, (UnixFileMode)0b111_101_101);
        try
        {
            foreach (var tool in new[] { "initdb", "postgres" })
            {
                var path = Path.Combine(bin, tool);
                await File.WriteAllTextAsync(path, "#!/bin/sh\necho \"FATAL: broken $0 for the test\" >&2\nexit 3\n");
                File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
            }

            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();
            builder.KeepOnly("authdb");
            ((PostgresServerResource)builder.GetResource("postgres")).BinDirectory = bin;
            await using var app = await builder.BuildAsync();
            var started = System.Diagnostics.Stopwatch.StartNew();

            var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync());

            Assert.Contains("'postgres'", error.Message, StringComparison.Ordinal);
            Assert.Contains("FATAL: broken", error.Message, StringComparison.Ordinal);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"took {started.Elapsed}");
            Assert.NotEqual(KnownResourceStates.Running, app.ResourceNotifications.Get("authdb")!.State);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [Fact]
    public async Task A_taken_port_is_not_fatal()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var takenPort = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>(
            configureOptions: options => options.RandomizePorts = false);
        builder.KeepOnly("cache");
        var cache = (RedisResource)builder.GetResource("cache");
        cache.GetEndpoint("tcp").PreferredPort = takenPort;
        await using var app = await builder.BuildAsync();

        await app.StartAsync();

        Assert.NotEqual(takenPort, cache.GetEndpoint("tcp").Port);
        Assert.Equal(ResourceHealth.Healthy, app.ResourceNotifications.Get("cache")!.Health);
        Assert.Contains(app.ResourceLogs.GetLines("cache"), l => l.Text.Contains($"Port {takenPort}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_resource_that_dies_is_reported_by_name_and_can_be_restarted()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Stox_AppHost>();
        builder.KeepOnly("cache");
        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        var pid = app.ResourceNotifications.Get("cache")!.ProcessIds[0];
        var connectionString = await app.GetConnectionStringAsync("cache");

        NativeKill(pid);
        var failure = await app.ResourceFailure.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Contains("Resource 'cache' exited unexpectedly", failure, StringComparison.Ordinal);
        Assert.Equal(KnownResourceStates.Exited, app.ResourceNotifications.Get("cache")!.State);

        await app.StartResourceAsync("cache");
        var restarted = await app.WaitForResourceHealthyAsync("cache");
        Assert.Equal(1, restarted.Restarts);
        Assert.Equal(connectionString, await app.GetConnectionStringAsync("cache"));
    }

    private static void NativeKill(int pid)
    {
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill();
    }
}
