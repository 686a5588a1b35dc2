using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Simulation;

public sealed record QueueRun(QueuePolicy Queue, QueueSummary Summary, QueueSeries Series, IReadOnlyList<ScalingEvent> Events);
