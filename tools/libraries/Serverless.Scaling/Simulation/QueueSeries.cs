namespace Serverless.Scaling.Simulation;

/// <summary>Per-second time series of one run (index = second since start).</summary>
public sealed class QueueSeries
{
    internal QueueSeries(int capacity)
    {
        Arrivals = new float[capacity];
        Backlog = new float[capacity];
        InFlight = new float[capacity];
        OldestWait = new int[capacity];
        Replicas = new int[capacity];
        ReadyReplicas = new int[capacity];
    }

    public int Length { get; private set; }

    public float[] Arrivals { get; private set; }

    /// <summary>Items waiting for a replica: what Temporal's backlog count and Redis lag report.</summary>
    public float[] Backlog { get; private set; }

    public float[] InFlight { get; private set; }

    /// <summary>Age in seconds of the oldest waiting item (head-of-line wait).</summary>
    public int[] OldestWait { get; private set; }

    public int[] Replicas { get; private set; }

    public int[] ReadyReplicas { get; private set; }

    internal void Record(long second, double arrivals, double backlog, double inFlight, long oldestWait, int replicas, int ready)
    {
        var i = (int)second;
        Arrivals[i] = (float)arrivals;
        Backlog[i] = (float)backlog;
        InFlight[i] = (float)inFlight;
        OldestWait[i] = (int)oldestWait;
        Replicas[i] = replicas;
        ReadyReplicas[i] = ready;
        Length = i + 1;
    }

    internal void Trim()
    {
        Arrivals = Arrivals[..Length];
        Backlog = Backlog[..Length];
        InFlight = InFlight[..Length];
        OldestWait = OldestWait[..Length];
        Replicas = Replicas[..Length];
        ReadyReplicas = ReadyReplicas[..Length];
    }
}
