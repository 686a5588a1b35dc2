using System.Globalization;

namespace Serverless.Functions.Bench;

/// <summary>
/// Load shape: <c>--seconds 10 --rounds 3 --connections 32 --threads 2 --warmup 10</c>. The warm-up is
/// long enough for tiered compilation to settle: after 3 s the first measured round still ran at
/// half the speed of the next two.
/// </summary>
public sealed record BenchOptions(int Seconds, int Rounds, int Connections, int Threads, int WarmupSeconds)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(Seconds: 10, Rounds: 3, Connections: 32, Threads: 2, WarmupSeconds: 10);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = value },
                "--rounds" => options with { Rounds = value },
                "--connections" => options with { Connections = value },
                "--threads" => options with { Threads = value },
                "--warmup" => options with { WarmupSeconds = value },
                _ => throw new ArgumentException($"unknown option {args[i]}; known: --seconds --rounds --connections --threads --warmup"),
            };
        }

        return options;
    }
}
