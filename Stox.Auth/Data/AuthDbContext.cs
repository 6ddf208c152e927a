using Microsoft.EntityFrameworkCore;

namespace Stox.Auth.Data;

/// <summary>The auth database (authdb): accounts and sessions arrive with the auth feature.</summary>
public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options);
