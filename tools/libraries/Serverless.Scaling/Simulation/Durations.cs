using System.Globalization;

namespace Serverless.Scaling.Simulation;

public static class Durations
{
    /// <summary>"45 s", "2 min 05 s", "3 h 07 min": short and unambiguous for operators.</summary>
    public static string Format(long seconds)
    {
        var c = CultureInfo.InvariantCulture;
        return seconds switch
        {
            < 60 => string.Create(c, $"{seconds} s"),
            < 3600 => string.Create(c, $"{seconds / 60} min {seconds % 60:00} s"),
            _ => string.Create(c, $"{seconds / 3600} h {seconds % 3600 / 60:00} min"),
        };
    }

    /// <summary>Clock time of a second since midnight, e.g. "19:05:00".</summary>
    public static string Clock(long second) =>
        string.Create(CultureInfo.InvariantCulture, $"{second / 3600:00}:{second % 3600 / 60:00}:{second % 60:00}");
}
