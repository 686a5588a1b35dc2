using System.Globalization;

namespace Serverless.Consumers.Consuming;

/// <summary>
/// Reads a duration the way Dapr's <c>pubsub.redis</c> reads <c>processingTimeout</c> and
/// <c>redeliverInterval</c> (platform-semantics §7.2): a whole number is milliseconds, otherwise a
/// Go duration (<c>30s</c>, <c>1m30s</c>, <c>250ms</c>); a .NET TimeSpan (<c>00:00:30</c>) is also
/// accepted, as the rest of our configuration uses it. Negative durations are refused.
/// </summary>
public static class DaprDuration
{
    private static readonly (string Unit, double Ticks)[] GoUnits =
    [
        ("ns", 0.01),
        ("us", 10),
        ("µs", 10),
        ("μs", 10),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan duration, out string? problem)
    {
        duration = TimeSpan.Zero;
        var value = text?.Trim() ?? string.Empty;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            duration = TimeSpan.FromMilliseconds(milliseconds);
            problem = null;
            return true;
        }

        if (value.Contains(':', StringComparison.Ordinal))
        {
            if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero)
            {
                problem = null;
                return true;
            }
        }
        else if (TryParseGo(value, out duration))
        {
            problem = null;
            return true;
        }

        problem = $"'{text}' is not a duration: give whole milliseconds (60000), a Go duration (60s, 1m30s, 250ms) or a TimeSpan (00:01:00)";
        return false;
    }

    /// <summary>A valid duration (checked by option validation before use); zero for an invalid one.</summary>
    public static TimeSpan ParseOrZero(string? text) => TryParse(text, out var duration, out _) ? duration : TimeSpan.Zero;

    /// <summary>Go's <c>time.ParseDuration</c> without a sign: one or more decimal numbers, each with a unit.</summary>
    private static bool TryParseGo(string value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (value.Length == 0)
        {
            return false;
        }

        double ticks = 0;
        var position = 0;
        while (position < value.Length)
        {
            var start = position;
            while (position < value.Length && (char.IsAsciiDigit(value[position]) || value[position] == '.'))
            {
                position++;
            }

            if (!double.TryParse(value.AsSpan(start, position - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unit = GoUnits
                .Where(u => value.AsSpan(position).StartsWith(u.Unit, StringComparison.Ordinal))
                .OrderByDescending(u => u.Unit.Length)
                .FirstOrDefault();
            if (unit.Unit is null)
            {
                return false;
            }

            ticks += number * unit.Ticks;
            position += unit.Unit.Length;
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
