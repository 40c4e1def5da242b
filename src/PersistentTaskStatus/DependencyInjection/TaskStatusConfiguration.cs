using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MongoDB.Driver;

namespace PersistentTaskStatus;

/// <summary>
/// Reads <see cref="TaskStatusOptions"/> from a configuration section (such as <c>"PersistentTaskStatus"</c> of
/// <c>appsettings.json</c>), by hand rather than through the reflection binder: so that a write concern can be given as
/// text, durations must be unambiguous, and an unknown key or a bad value is an error that names it instead of being
/// ignored or half-read.
/// </summary>
internal sealed class TaskStatusConfiguration(IConfiguration section) : IConfigureOptions<TaskStatusOptions>
{
    private const string DurationFormat = "hh:mm:ss or d.hh:mm:ss (00:00:30 is 30 seconds, 7.00:00:00 is 7 days)";

    /// <summary>The keys read, each with how its value is set; keys are matched ignoring case, as configuration does.</summary>
    private static readonly Dictionary<string, Func<string, TaskStatusOptions, string?>> Setters = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(TaskStatusOptions.ConnectionString)] = (value, options) => Text(value, v => options.ConnectionString = v),
        [nameof(TaskStatusOptions.DatabaseName)] = (value, options) => Text(value, v => options.DatabaseName = v),
        [nameof(TaskStatusOptions.CollectionName)] = (value, options) =>
            value.Trim().Length == 0 ? "cannot be empty; leave the key out for the default, taskContainers." : Set(() => options.CollectionName = value),
        [nameof(TaskStatusOptions.WriteConcern)] = (value, options) => WriteConcernOf(value, v => options.WriteConcern = v),
        [nameof(TaskStatusOptions.OperationTimeout)] = (value, options) =>
            value.Trim().Equals("Infinite", StringComparison.OrdinalIgnoreCase)
                ? Set(() => options.OperationTimeout = Timeout.InfiniteTimeSpan)
                : Duration(value, v => options.OperationTimeout = v, "; or Infinite"),
        [nameof(TaskStatusOptions.CreateIndexes)] = (value, options) => Boolean(value, v => options.CreateIndexes = v),
        [nameof(TaskStatusOptions.MaxRetryDelay)] = (value, options) => Duration(value, v => options.MaxRetryDelay = v),
        [nameof(TaskStatusOptions.RenewLeases)] = (value, options) => Boolean(value, v => options.RenewLeases = v),
        [nameof(TaskStatusOptions.StallAfter)] = (value, options) => Duration(value, v => options.StallAfter = v),
        [nameof(TaskStatusOptions.CompletedRetention)] = (value, options) =>
            value.Length == 0 ? Set(() => options.CompletedRetention = null) : Duration(value, v => options.CompletedRetention = v, "; or empty to keep forever"),
        [nameof(TaskStatusOptions.FailedRetention)] = (value, options) =>
            value.Length == 0 ? Set(() => options.FailedRetention = null) : Duration(value, v => options.FailedRetention = v, "; or empty to keep forever"),
        [nameof(TaskStatusOptions.WatchPollInterval)] = (value, options) => Duration(value, v => options.WatchPollInterval = v),
    };

    /// <summary>Options that are objects, not values: they come from dependency injection or code.</summary>
    private static readonly HashSet<string> NotFromConfiguration = new(StringComparer.OrdinalIgnoreCase)
    {
        nameof(TaskStatusOptions.LoggerFactory),
        nameof(TaskStatusOptions.TimeProvider),
    };

    /// <summary>Sets every option the section holds; throws one error naming every unknown key and bad value.</summary>
    public void Configure(TaskStatusOptions options)
    {
        var problems = new List<string>();
        foreach (var entry in section.GetChildren())
        {
            var problem = entry switch
            {
                _ when NotFromConfiguration.Contains(entry.Key) =>
                    $"TaskStatusOptions.{entry.Key} cannot be set from configuration; it comes from dependency injection (the registered service) or from code.",
                _ when !Setters.ContainsKey(entry.Key) =>
                    $"unknown key; the keys are {string.Join(", ", Setters.Keys)}.",
                { Value: null } when entry.GetChildren().Any() =>
                    "must be a value, not a section.",
                _ => Setters[entry.Key](entry.Value ?? "", options),
            };
            if (problem is not null)
            {
                problems.Add($"{entry.Path}: {problem}");
            }
        }

        if (problems.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TaskStatusOptions), problems);
        }
    }

    private static string? Set(Action set)
    {
        set();
        return null;
    }

    private static string? Text(string value, Action<string?> set) => Set(() => set(value.Length == 0 ? null : value));

    private static string? Boolean(string value, Action<bool> set) =>
        bool.TryParse(value.Trim(), out var parsed) ? Set(() => set(parsed)) : $"'{value}' is not true or false.";

    private static string? Duration(string value, Action<TimeSpan> set, string alternatives = "")
    {
        // A bare number would be read as days ("30" is a month): a duration must show its hours and minutes.
        var text = value.Trim();
        return text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var parsed)
            ? Set(() => set(parsed))
            : $"'{value}' is not a duration; use {DurationFormat}{alternatives}.";
    }

    private static string? WriteConcernOf(string value, Action<WriteConcern> set)
    {
        var text = value.Trim();
        if (text.Equals("majority", StringComparison.OrdinalIgnoreCase))
        {
            return Set(() => set(WriteConcern.WMajority));
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var members) && members >= 1
            ? Set(() => set(new WriteConcern(members)))
            : $"'{value}' is not a write concern; use majority (the default: a change survives a primary failover) or a number of members, 1 or more.";
    }
}
