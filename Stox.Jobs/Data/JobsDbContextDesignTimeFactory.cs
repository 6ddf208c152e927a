using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Stox.Jobs.Data;

/// <summary>
/// How <c>dotnet ef</c> makes the context: the service's own wiring wants the AppHost's connection string, and adding
/// or scripting a migration needs only the provider, never a server.
/// </summary>
public sealed class JobsDbContextDesignTimeFactory : IDesignTimeDbContextFactory<JobsDbContext>
{
    public JobsDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql().Options);
}
