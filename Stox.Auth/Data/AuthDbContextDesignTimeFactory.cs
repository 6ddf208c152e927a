using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Stox.Auth.Data;

/// <summary>
/// How <c>dotnet ef</c> makes the context: the service's own wiring wants the AppHost's connection string, and adding
/// or scripting a migration needs only the provider, never a server.
/// </summary>
public sealed class AuthDbContextDesignTimeFactory : IDesignTimeDbContextFactory<AuthDbContext>
{
    public AuthDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<AuthDbContext>().UseNpgsql().Options);
}
