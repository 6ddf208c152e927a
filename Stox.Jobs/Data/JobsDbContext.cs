using Microsoft.EntityFrameworkCore;

namespace Stox.Jobs.Data;

/// <summary>The jobs database (jobsdb): images, jobs and the outbox arrive with the images feature.</summary>
public sealed class JobsDbContext(DbContextOptions<JobsDbContext> options) : DbContext(options);
