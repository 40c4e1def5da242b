using System.Text.Json;
using PersistentTaskStatus.Dashboard.Rendering;

namespace PersistentTaskStatus.Dashboard.Live;

/// <summary>One message of an event stream: its event name, its JSON data and the position a reconnecting page resumes from.</summary>
internal sealed record FeedMessage(string Event, string Data, long? Position);

/// <summary>
/// What one open page follows, and how to bring it up to date. The position of a page is a time by the database's
/// clock (the newest <c>updatedAt</c> it was sent), so it stays meaningful across a reconnect, a restart of the
/// application or another instance behind a load balancer; a page that comes back reads afresh from the database
/// what changed after it, with a margin for writes whose clock reading and commit order differ.
/// </summary>
internal abstract class Feed(DashboardOptions options, TimeProvider time, DateTime? position)
{
    /// <summary>How far before its position a returning page is sent changes again.</summary>
    internal static readonly TimeSpan ResumeMargin = TimeSpan.FromSeconds(5);

    protected DashboardOptions Options { get; } = options;

    /// <summary>The newest database time this page was sent, or null before anything.</summary>
    protected DateTime? Position { get; private set; } = position;

    protected DateTime? ResumeFrom => Position - ResumeMargin;

    /// <summary>Whether the page wants this container's states.</summary>
    public abstract bool Wants(TaskContainer state);

    /// <summary>Reads from the database what the page needs to be current; null when nothing.</summary>
    public abstract Task<FeedMessage?> ReadAfreshAsync(CancellationToken cancellationToken);

    /// <summary>The page's update for the latest states of the containers that changed; null when it has none.</summary>
    public abstract FeedMessage? Changed(IReadOnlyCollection<TaskContainer> states);

    protected PageRenderer Renderer() => new(Options, time.GetUtcNow().UtcDateTime);

    protected void Advance(DateTime updatedAt)
    {
        if (Position is null || updatedAt > Position)
        {
            Position = updatedAt;
        }
    }

    protected long? PositionMilliseconds => Position is { } p ? Formats.UnixMilliseconds(p) : null;

    protected static string Json<T>(T value) => JsonSerializer.Serialize(value, FeedJson.Options);
}

/// <summary>A row to put on a page: replace the row of that key, or insert it.</summary>
internal sealed record RowUpdate(string Key, string Html)
{
    /// <summary>Whether a page that does not have the row adds it (else it ignores it).</summary>
    public bool Insert { get; init; }

    /// <summary>Where an added row goes: after the row of this key, or first when null.</summary>
    public string? After { get; init; }
}

internal static class FeedJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>
/// The runs list: the runs it shows change in place, and on its first page a run that now matches its filters is
/// added at the top. Rows never move while the page is open (the list would jump); a reload sorts again.
/// </summary>
internal sealed class RunsFeed(TaskStatusClient client, DashboardOptions options, TimeProvider time, RunsFilter filter, DateTime? position)
    : Feed(options, time, position)
{
    private readonly HashSet<string> shown = new(StringComparer.Ordinal);

    public override bool Wants(TaskContainer state) =>
        filter.Prefix is null || state.Name.StartsWith(filter.Prefix, StringComparison.Ordinal);

    public override async Task<FeedMessage?> ReadAfreshAsync(CancellationToken cancellationToken)
    {
        var renderer = Renderer();
        TaskContainerPage page;
        try
        {
            page = await client.QueryTaskContainersAsync(filter.ToQuery(Options.PageSize, renderer.Now), cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            // A continuation token that is no longer understood: the page itself said so when it was rendered.
            return null;
        }

        var from = ResumeFrom;
        var runs = new List<RunSummary>();
        foreach (var summary in page.Containers)
        {
            shown.Add(summary.Name);
            if (from is null || summary.UpdatedAt >= from)
            {
                runs.Add(RunSummary.Of(summary));
            }
        }

        return Message(renderer, runs, insert: filter.IsFirstPage);
    }

    public override FeedMessage? Changed(IReadOnlyCollection<TaskContainer> states)
    {
        var renderer = Renderer();
        var since = filter.SinceTime(renderer.Now);
        var runs = new List<RunSummary>();
        foreach (var state in states)
        {
            var run = RunSummary.Of(state);
            var insert = filter.IsFirstPage && run.IsIn(filter.State) && (since is null || run.UpdatedAt >= since);
            if (insert)
            {
                shown.Add(run.Name);
            }

            if (shown.Contains(run.Name))
            {
                runs.Add(run);
            }
        }

        return Message(renderer, runs, insert: filter.IsFirstPage);
    }

    private FeedMessage? Message(PageRenderer renderer, List<RunSummary> runs, bool insert)
    {
        if (runs.Count == 0)
        {
            return null;
        }

        // Oldest first: the page adds new rows at its top one after the other, so the newest ends up first.
        var rows = new List<RowUpdate>(runs.Count);
        foreach (var run in runs.OrderBy(r => r.UpdatedAt))
        {
            var html = new Html(1024);
            renderer.RunRow(html, run);
            rows.Add(new RowUpdate(run.Name, html.ToString()) { Insert = insert && run.IsIn(filter.State) });
            Advance(run.UpdatedAt);
        }

        return new FeedMessage("update", Json(new { rows }), PositionMilliseconds);
    }
}

/// <summary>
/// A run's page: its summary, and the rows of the tasks that changed since the page last heard (compared task by
/// task, so a progress update on one task of 1,000 sends one row). Each message carries the number of tasks and a
/// hash of their names in order; a page whose own rows disagree (a task was deleted while it was away) reloads.
/// </summary>
internal sealed class RunFeed(TaskStatusClient client, DashboardOptions options, TimeProvider time, string name, DateTime? position)
    : Feed(options, time, position)
{
    private readonly Dictionary<string, TaskFingerprint> sent = new(StringComparer.Ordinal);
    private bool first = true;

    public override bool Wants(TaskContainer state) => string.Equals(state.Name, name, StringComparison.Ordinal);

    public override async Task<FeedMessage?> ReadAfreshAsync(CancellationToken cancellationToken)
    {
        var container = await client.GetTaskContainerAsync(name, cancellationToken).ConfigureAwait(false);
        return container is null
            ? new FeedMessage("gone", Json(new { message = "This run no longer exists: it was deleted, or removed by retention." }), PositionMilliseconds)
            : Diff(container);
    }

    public override FeedMessage? Changed(IReadOnlyCollection<TaskContainer> states) =>
        states.Count == 0 ? null : Diff(states.Last());

    private FeedMessage Diff(TaskContainer container)
    {
        var renderer = Renderer();
        var from = first ? ResumeFrom : null;
        var tasks = container.Tasks;
        var rows = new List<RowUpdate>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? previous = null;
        foreach (var task in tasks)
        {
            names.Add(task.Name);
            var fingerprint = TaskFingerprint.Of(task);
            var known = sent.TryGetValue(task.Name, out var was);
            var send = first
                ? from is null || task.UpdatedAt >= from
                : !known || was != fingerprint;
            if (send)
            {
                var html = new Html(1024);
                renderer.TaskRow(html, task, Options.AllowReset);
                rows.Add(new RowUpdate(task.Name, html.ToString()) { Insert = true, After = previous });
            }

            sent[task.Name] = fingerprint;
            previous = task.Name;
        }

        var removed = first ? [] : sent.Keys.Where(k => !names.Contains(k)).ToList();
        foreach (var key in removed)
        {
            sent.Remove(key);
        }

        first = false;
        var summary = new Html(2048);
        renderer.Summary(summary, container);
        Advance(container.UpdatedAt);
        return new FeedMessage(
            "update",
            Json(new { summary = summary.ToString(), rows, removed, count = tasks.Count, hash = NamesHash(tasks) }),
            PositionMilliseconds);
    }

    /// <summary>FNV-1a over the UTF-16 code units of the names in order, each followed by a NUL (never in a name); dashboard.js computes the same.</summary>
    internal static uint NamesHash(IEnumerable<TaskState> tasks)
    {
        var hash = 2166136261u;
        foreach (var task in tasks)
        {
            foreach (var c in task.Name)
            {
                hash = unchecked((hash ^ c) * 16777619u);
            }

            hash = unchecked(hash * 16777619u);
        }

        return hash;
    }
}

/// <summary>What decides whether a task's row must be sent again.</summary>
internal readonly record struct TaskFingerprint(DateTime UpdatedAt, bool IsStalled, TaskRunStatus Status, double Percentage, long FencingToken, int InvokeCount)
{
    public static TaskFingerprint Of(TaskState task) =>
        new(task.UpdatedAt, task.IsStalled, task.Status, task.PercentageComplete, task.FencingToken, task.InvokeCount);
}
