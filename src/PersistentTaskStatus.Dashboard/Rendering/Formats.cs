using System.Globalization;

namespace PersistentTaskStatus.Dashboard.Rendering;

/// <summary>How numbers, times and durations read on the pages (the same rules as dashboard.js, which keeps relative times current).</summary>
internal static class Formats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A percentage with at most one decimal: <c>42.5%</c>, <c>100%</c>.</summary>
    public static string Percentage(double value) => value.ToString("0.#", Invariant) + "%";

    /// <summary>The value of a <c>progress</c> element, 0 to 100 with two decimals at most.</summary>
    public static string ProgressValue(double value) => Math.Clamp(value, 0, 100).ToString("0.##", Invariant);

    public static string Count(int value) => value.ToString("N0", Invariant);

    /// <summary>A UTC time as the machine-readable value of a <c>time</c> element (ISO 8601 to the second, <c>Z</c>).</summary>
    public static string Iso(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Invariant);

    /// <summary>Milliseconds since the Unix epoch: the position an event stream resumes from.</summary>
    public static long UnixMilliseconds(DateTime utc) => new DateTimeOffset(utc.ToUniversalTime()).ToUnixTimeMilliseconds();

    /// <summary><c>just now</c>, <c>12 s ago</c>, <c>5 min ago</c>, <c>3 h ago</c>, <c>2 d ago</c>, or <c>in 40 s</c> for the future.</summary>
    public static string Relative(DateTime utc, DateTime now)
    {
        var seconds = (now - utc.ToUniversalTime()).TotalSeconds;
        var future = seconds < 0;
        var amount = Math.Abs(seconds);
        if (amount < 5)
        {
            return future ? "in a moment" : "just now";
        }

        var text = Duration(TimeSpan.FromSeconds(amount), coarse: true);
        return future ? "in " + text : text + " ago";
    }

    /// <summary>
    /// A duration: <c>850 ms</c>, <c>12.4 s</c>, <c>3 min 20 s</c>, <c>2 h 5 min</c>, <c>3 d 4 h</c>; coarse gives
    /// one unit (<c>12 s</c>, <c>3 min</c>, <c>2 h</c>, <c>3 d</c>).
    /// </summary>
    public static string Duration(TimeSpan duration, bool coarse = false)
    {
        var seconds = Math.Max(0, duration.TotalSeconds);
        if (coarse)
        {
            return seconds switch
            {
                < 60 => $"{Math.Floor(seconds).ToString(Invariant)} s",
                < 3600 => $"{Math.Floor(seconds / 60).ToString(Invariant)} min",
                < 86400 => $"{Math.Floor(seconds / 3600).ToString(Invariant)} h",
                _ => $"{Math.Floor(seconds / 86400).ToString(Invariant)} d",
            };
        }

        return seconds switch
        {
            < 1 => $"{Math.Round(seconds * 1000).ToString(Invariant)} ms",
            < 60 => $"{seconds.ToString("0.#", Invariant)} s",
            < 3600 => $"{Math.Floor(seconds / 60).ToString(Invariant)} min {Math.Floor(seconds % 60).ToString(Invariant)} s",
            < 86400 => $"{Math.Floor(seconds / 3600).ToString(Invariant)} h {Math.Floor(seconds % 3600 / 60).ToString(Invariant)} min",
            _ => $"{Math.Floor(seconds / 86400).ToString(Invariant)} d {Math.Floor(seconds % 86400 / 3600).ToString(Invariant)} h",
        };
    }
}
