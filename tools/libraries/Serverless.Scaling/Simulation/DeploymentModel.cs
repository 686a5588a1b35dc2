namespace Serverless.Scaling.Simulation;

/// <summary>
/// The scaled Deployment: <c>spec.replicas</c> as set by KEDA or the HPA, and pods that become ready
/// <c>startupSeconds</c> after they are created. On scale-in, pods that are not ready yet go first
/// (newest first), as the ReplicaSet controller ranks unready pods for deletion before ready ones.
/// </summary>
public sealed class DeploymentModel
{
    private readonly int startupSeconds;
    private readonly RingDeque<long> starting = new();

    public DeploymentModel(int startupSeconds, int initialReadyReplicas)
    {
        this.startupSeconds = startupSeconds;
        Replicas = initialReadyReplicas;
        Ready = initialReadyReplicas;
    }

    /// <summary><c>spec.replicas</c>; status.replicas equals it because pods are created at once.</summary>
    public int Replicas { get; private set; }

    public int Ready { get; private set; }

    public void Advance(long now)
    {
        while (starting.Count > 0 && starting.Front <= now)
        {
            starting.PopFront();
            Ready++;
        }
    }

    public void Scale(long now, int replicas)
    {
        for (; Replicas < replicas; Replicas++)
        {
            starting.PushBack(now + startupSeconds);
        }

        for (; Replicas > replicas; Replicas--)
        {
            if (starting.Count > 0)
            {
                starting.PopBack();
            }
            else
            {
                Ready--;
            }
        }
    }
}
