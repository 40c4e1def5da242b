using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PersistentTaskStatus.Cli;

/// <summary>Durations (<c>90s</c>, <c>1h30m</c>, <c>500ms</c>, or a number of seconds) and points in time (<c>2h</c> ago, or an ISO 8601 date).</summary>
internal static partial class Durations
{
    [GeneratedRegex(@"\G(\d+(?:\.\d+)?)(ms|s|m|h|d|w)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    /// <summary>Parses a duration: a number of seconds, or parts such as <c>1h30m</c>; null when it is not one.</summary>
    public static TimeSpan? TryParse(string text)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return double.IsFinite(seconds) && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        }

        var total = TimeSpan.Zero;
        var position = 0;
        while (position < text.Length)
        {
            var match = Part().Match(text, position);
            if (!match.Success)
            {
                return null;
            }

            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            total += match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                "d" => TimeSpan.FromDays(value),
                _ => TimeSpan.FromDays(7 * value),
            };
            position += match.Length;
        }

        return position == 0 ? null : total;
    }

    /// <summary>Parses a point in time: an ISO 8601 date or time (UTC unless it says otherwise), or a duration before <paramref name="now"/>.</summary>
    public static DateTime? TryParseSince(string text, DateTimeOffset now)
    {
        if (TryParse(text) is { } ago)
        {
            return (now - ago).UtcDateTime;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.UtcDateTime
            : null;
    }

    /// <summary>The parser of a duration option that must be more than zero.</summary>
    public static TimeSpan? ParseOption(ArgumentResult result, string option)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text) is { } duration && duration > TimeSpan.Zero)
        {
            return duration;
        }

        result.AddError($"{option}: '{text}' is not a duration; use seconds (5) or a duration such as 500ms, 30s, 2m.");
        return null;
    }

    /// <summary>Writes a duration briefly: 45s, 3m, 2h, 4d.</summary>
    public static string Brief(TimeSpan duration)
    {
        duration = duration.Duration();
        return duration.TotalSeconds < 60 ? $"{(int)duration.TotalSeconds}s"
            : duration.TotalMinutes < 60 ? $"{(int)duration.TotalMinutes}m"
            : duration.TotalHours < 48 ? $"{(int)duration.TotalHours}h"
            : $"{(int)duration.TotalDays}d";
    }
}
