namespace Serverless.Platform.Tests;

/// <summary>A clock that stays at one instant, for values computed from "now" (stream cut-offs, expirations).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
