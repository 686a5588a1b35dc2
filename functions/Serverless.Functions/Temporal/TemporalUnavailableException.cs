namespace Serverless.Functions.Temporal;

/// <summary>Temporal could not be reached (or did not answer in time): nothing is known to have happened.</summary>
public sealed class TemporalUnavailableException : Exception
{
    public TemporalUnavailableException()
    {
    }

    public TemporalUnavailableException(string message)
        : base(message)
    {
    }

    public TemporalUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
