using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace PersistentTaskStatus.Dashboard.Rendering;

/// <summary>The runs list's filters and page, as they travel in its query string.</summary>
internal sealed record RunsFilter(TaskContainerStates State, string? Prefix, string? Since, string? After)
{
    /// <summary>The choices of "changed since", relative to now, in the order the page offers them.</summary>
    public static readonly IReadOnlyList<(string Value, string Label, TimeSpan Span)> SinceChoices =
    [
        ("15m", "in the last 15 min", TimeSpan.FromMinutes(15)),
        ("1h", "in the last hour", TimeSpan.FromHours(1)),
        ("24h", "in the last 24 h", TimeSpan.FromHours(24)),
        ("7d", "in the last 7 days", TimeSpan.FromDays(7)),
    ];

    public static readonly IReadOnlyList<(TaskContainerStates State, string Value, string Label)> StateChoices =
    [
        (TaskContainerStates.Any, "", "All"),
        (TaskContainerStates.Incomplete, "incomplete", "Incomplete"),
        (TaskContainerStates.Complete, "complete", "Complete"),
        (TaskContainerStates.Failed, "failed", "Failed"),
        (TaskContainerStates.Stalled, "stalled", "Stalled"),
    ];

    public bool IsFirstPage => string.IsNullOrEmpty(After);

    /// <summary>Reads the filters; throws <see cref="FormatException"/> with a message for the user when one is not understood.</summary>
    public static RunsFilter Parse(IQueryCollection query)
    {
        var stateText = query["state"].ToString();
        var state = StateChoices.FirstOrDefault(c => string.Equals(c.Value, stateText, StringComparison.OrdinalIgnoreCase));
        if (state.Label is null)
        {
            throw new FormatException($"The state filter '{stateText}' is not one of: incomplete, complete, failed, stalled.");
        }

        var prefix = query["prefix"].ToString();
        if (prefix.Length > 256)
        {
            throw new FormatException("The name prefix is longer than a container name can be (256 characters).");
        }

        var since = query["since"].ToString();
        if (since.Length > 0 && !SinceChoices.Any(c => c.Value == since) &&
            !DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            throw new FormatException($"'Changed since' must be one of 15m, 1h, 24h, 7d or an ISO 8601 time, not '{since}'.");
        }

        var after = query["after"].ToString();
        return new RunsFilter(state.State, NullIfEmpty(prefix), NullIfEmpty(since), NullIfEmpty(after));
    }

    /// <summary>The query API's question for this page.</summary>
    public TaskContainerQuery ToQuery(int pageSize, DateTime now) => new()
    {
        State = State,
        NamePrefix = Prefix,
        ChangedSince = SinceTime(now),
        PageSize = pageSize,
        ContinuationToken = After,
    };

    public DateTime? SinceTime(DateTime now)
    {
        if (Since is null)
        {
            return null;
        }

        foreach (var choice in SinceChoices)
        {
            if (choice.Value == Since)
            {
                return now - choice.Span;
            }
        }

        return DateTimeOffset.Parse(Since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;
    }

    public string StateValue => StateChoices.First(c => c.State == State).Value;

    /// <summary>The query string of these filters (with a leading <c>?</c>, or empty), for links and the event stream.</summary>
    public string QueryString(bool withPage = true)
    {
        var builder = new StringBuilder();
        Add(builder, "state", StateValue);
        Add(builder, "prefix", Prefix);
        Add(builder, "since", Since);
        if (withPage)
        {
            Add(builder, "after", After);
        }

        return builder.ToString();
    }

    /// <summary>A relative link to the runs list with these filters: <c>./?state=failed</c>, or <c>./</c>.</summary>
    public string Link(bool withPage = true) => "./" + QueryString(withPage);

    internal static void Add(StringBuilder builder, string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
