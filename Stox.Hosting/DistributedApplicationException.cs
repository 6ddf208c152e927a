namespace Stox.Hosting;

public sealed class DistributedApplicationException : Exception
{
    public DistributedApplicationException(string message) : base(message)
    {
    }

    public DistributedApplicationException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public DistributedApplicationException()
    {
    }
}
