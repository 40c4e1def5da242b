namespace PersistentTaskStatus;

/// <summary>
/// Settings of the dashboard that <c>MapPersistentTaskStatusDashboard</c> serves. They are validated when the
/// application starts; an invalid value stops it with a message naming the setting.
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>The smallest <see cref="LiveUpdateInterval"/>.</summary>
    public static readonly TimeSpan MinLiveUpdateInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>The largest <see cref="LiveUpdateInterval"/>.</summary>
    public static readonly TimeSpan MaxLiveUpdateInterval = TimeSpan.FromSeconds(10);

    /// <summary>The smallest <see cref="HeartbeatInterval"/>.</summary>
    public static readonly TimeSpan MinHeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>The largest <see cref="HeartbeatInterval"/>.</summary>
    public static readonly TimeSpan MaxHeartbeatInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether an operator may reset a failed task from the run's page (the same call as <c>pts reset</c>:
    /// <see cref="TaskContainer.ResetTaskAsync"/>). Each reset is a POST carrying an antiforgery token, checked for
    /// a same-origin <c>Origin</c> / <c>Sec-Fetch-Site</c>, and logged with the user's name. When false the dashboard
    /// is read-only: no reset button is shown and every reset request is refused with 403.
    /// </summary>
    /// <value>False (read-only) by default.</value>
    public bool AllowReset { get; set; }

    /// <summary>The title shown at the top of every page and in the browser's tab, for example the application's name.</summary>
    /// <value><c>Task status</c> by default; 1 to 100 characters.</value>
    public string Title { get; set; } = "Task status";

    /// <summary>How many runs (task containers) the runs list shows on a page, newest change first.</summary>
    /// <value>50 by default; 1 to <see cref="TaskContainerQuery.MaxPageSize"/>.</value>
    public int PageSize { get; set; } = 50;

    /// <summary>
    /// The shortest time between two live updates sent to one page. Changes that arrive within it are sent together,
    /// the latest state of each run winning; the first change after a quiet period is sent at once.
    /// </summary>
    /// <value>250 ms by default; <see cref="MinLiveUpdateInterval"/> to <see cref="MaxLiveUpdateInterval"/>.</value>
    public TimeSpan LiveUpdateInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often an open page's event stream gets a comment line when nothing changed, so that proxies and load
    /// balancers do not close it as idle and a dead connection is noticed.
    /// </summary>
    /// <value>15 seconds by default; <see cref="MinHeartbeatInterval"/> to <see cref="MaxHeartbeatInterval"/>.</value>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The problems of these settings, one sentence each; empty when they are valid.</summary>
    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Title) || Title.Length > 100)
        {
            errors.Add("DashboardOptions.Title must have 1 to 100 characters.");
        }

        if (PageSize is < 1 or > TaskContainerQuery.MaxPageSize)
        {
            errors.Add($"DashboardOptions.PageSize must be from 1 to {TaskContainerQuery.MaxPageSize}, not {PageSize}.");
        }

        if (LiveUpdateInterval < MinLiveUpdateInterval || LiveUpdateInterval > MaxLiveUpdateInterval)
        {
            errors.Add($"DashboardOptions.LiveUpdateInterval must be from {MinLiveUpdateInterval} to {MaxLiveUpdateInterval}, not {LiveUpdateInterval}.");
        }

        if (HeartbeatInterval < MinHeartbeatInterval || HeartbeatInterval > MaxHeartbeatInterval)
        {
            errors.Add($"DashboardOptions.HeartbeatInterval must be from {MinHeartbeatInterval} to {MaxHeartbeatInterval}, not {HeartbeatInterval}.");
        }

        return errors;
    }
}
