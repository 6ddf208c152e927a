using System.Reflection;
using System.Runtime.ExceptionServices;
using Stox.Hosting.Orchestration;

namespace Stox.Hosting.Testing;

/// <summary>
/// Builds the AppHost's own app model for a test, as Aspire's DistributedApplicationTestingBuilder does:
/// the AppHost's entry point runs up to Build(), the test may trim or change the model, then starts it.
/// Every endpoint gets a free port and the data lives in a temporary folder.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    public static async Task<IDistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(
        string[]? args = null,
        Action<DistributedApplicationOptions>? configureOptions = null,
        CancellationToken cancellationToken = default)
        where TEntryPoint : IProjectMetadata, new()
    {
        var metadata = new TEntryPoint();
        var assembly = Assembly.Load(AssemblyName.GetAssemblyName(metadata.AssemblyPath));
        var entryPoint = assembly.EntryPoint
            ?? throw new InvalidOperationException($"'{metadata.AssemblyPath}' has no entry point.");

        DistributedApplicationBuilder? captured = null;
        await Task.Run(
            () =>
            {
                DistributedApplicationBuilder.OptionsInterceptor.Value = options =>
                {
                    options.RandomizePorts = true;
                    options.StopOnResourceFailure = false;

                    // As Aspire's testing builder: no dashboard unless a test asks for one.
                    options.EnableDashboard = false;
                    options.LogSink = Environment.GetEnvironmentVariable("STOX_TEST_LOGS") == "1" ? null : static _ => { };
                    configureOptions?.Invoke(options);
                };
                DistributedApplicationBuilder.BuildInterceptor.Value = builder => captured = builder;
                try
                {
                    var result = entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? [] : [args ?? []]);
                    if (result is Task task)
                    {
                        task.GetAwaiter().GetResult();
                    }
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not DistributedApplicationBuilder.BuildInterceptedException)
                {
                    ExceptionDispatchInfo.Capture(ex.InnerException!).Throw();
                }
                catch (Exception ex) when (ex is TargetInvocationException or DistributedApplicationBuilder.BuildInterceptedException)
                {
                    // The entry point stopped at Build(), as intended.
                }
            },
            cancellationToken);

        return new TestingBuilder(captured ?? throw new InvalidOperationException(
            $"The entry point of {assembly.GetName().Name} returned without calling Build()."));
    }

    private sealed class TestingBuilder(DistributedApplicationBuilder inner) : IDistributedApplicationTestingBuilder
    {
        public Microsoft.Extensions.Configuration.IConfiguration Configuration => inner.Configuration;
        public DistributedApplicationExecutionContext ExecutionContext => inner.ExecutionContext;
        public DistributedApplicationOptions Options => inner.Options;
        public IReadOnlyList<IResource> Resources => inner.Resources;

        public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource => inner.AddResource(resource);

        public void RemoveResource(IResource resource) => inner.RemoveResource(resource);

        public IResourceBuilder<ParameterResource> AddParameter(string name, bool secret = false) => inner.AddParameter(name, secret);

        public DistributedApplication Build() => inner.BuildCore();

        public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default) => Task.FromResult(inner.BuildCore());

        public IDistributedApplicationTestingBuilder KeepOnly(params string[] names)
        {
            var keep = new HashSet<IResource>();
            var pending = new Stack<IResource>(names.Select(this.GetResource));
            while (pending.Count > 0)
            {
                var resource = pending.Pop();
                if (!keep.Add(resource))
                {
                    continue;
                }

                var related = new List<IResource>();
                if (resource is Resource r)
                {
                    related.AddRange(r.References);
                    related.AddRange(r.WaitsFor);
                }

                if (resource is IResourceWithParent child)
                {
                    related.Add(child.Parent);
                }

                related.AddRange(ParametersOf(resource));
                foreach (var next in related)
                {
                    pending.Push(next);
                }
            }

            foreach (var resource in Resources.Where(r => !keep.Contains(r)).ToList())
            {
                RemoveResource(resource);
            }

            return this;
        }

        private static IEnumerable<IResource> ParametersOf(IResource resource) => resource switch
        {
            PostgresServerResource p => [p.PasswordParameter],
            RedisResource r => [r.PasswordParameter],
            RabbitMQServerResource m => [m.PasswordParameter],
            S3StorageResource s => [s.AccessKeyParameter, s.SecretKeyParameter],
            _ => [],
        };
    }
}

public interface IDistributedApplicationTestingBuilder : IDistributedApplicationBuilder
{
    Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default);

    /// <summary>Keeps only the named resources and what they reference, wait for or belong to.</summary>
    IDistributedApplicationTestingBuilder KeepOnly(params string[] names);
}
