namespace Serverless.Platform.Tests.Hosting;

/// <summary>
/// Tests that start hosts with the service defaults: their meter providers listen to every
/// <c>Serverless.*</c> meter of the process, so one asserting that nobody listens yet runs alone.
/// </summary>
internal static class ProcessTelemetry
{
    public const string Collection = "process-wide meter listeners";
}
