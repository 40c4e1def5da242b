using MongoDB.Bson;
using MongoDB.Bson.IO;
using PersistentTaskStatus.Dashboard.Assets;

namespace PersistentTaskStatus.Dashboard.Rendering;

/// <summary>The antiforgery token a page's reset form carries.</summary>
internal sealed record ResetToken(string FieldName, string Value);

/// <summary>
/// Renders the dashboard's pages and the rows that live updates replace, as HTML built in code: constant markup plus
/// encoded values (see <see cref="Html"/>). Every URL is relative to the dashboard's own folder, so the pages work
/// under any path base and behind a reverse proxy. No inline script, style or event handler: the page holds under
/// <c>script-src 'self'; style-src 'self'</c>.
/// </summary>
internal sealed class PageRenderer(DashboardOptions options, DateTime now)
{
    /// <summary>The most characters of task data or checkpoint shown; the rest is cut, so that one huge document cannot swamp the browser.</summary>
    internal const int MaxDataCharacters = 64 * 1024;

    private static readonly JsonWriterSettings DataJson = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson, Indent = true, NewLineChars = "\n" };

    public DateTime Now => now;

    /// <summary>The whole page around <paramref name="main"/>.</summary>
    public string Page(string heading, string bodyClass, string? liveUrl, Action<Html> main, int capacity = 16 * 1024)
    {
        var html = new Html(capacity);
        html.Raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"referrer\" content=\"no-referrer\">")
            .Raw("<title>").Text(heading).Raw(" · ").Text(options.Title).Raw("</title>")
            .Raw("<link rel=\"icon\" type=\"image/svg+xml\"").Attr("href", "assets/" + AssetStore.Icon.FileName).Raw(">")
            .Raw("<link rel=\"stylesheet\"").Attr("href", "assets/" + AssetStore.Css.FileName).Raw(">")
            .Raw("<script defer").Attr("src", "assets/" + AssetStore.Script.FileName).Raw("></script>")
            .Raw("</head><body").Attr("class", bodyClass).Attr("data-live", liveUrl).Raw(">")
            .Raw("<header class=\"top\"><a class=\"brand\" href=\"./\"><img").Attr("src", "assets/" + AssetStore.Icon.FileName)
            .Raw(" alt=\"\" width=\"22\" height=\"22\"><span>").Text(options.Title).Raw("</span></a>");
        if (liveUrl is not null)
        {
            html.Raw("<span class=\"live\" data-status=\"connecting\" role=\"status\">Connecting…</span>");
        }

        html.Raw("</header><main class=\"page\">");
        main(html);
        html.Raw("</main></body></html>");
        return html.ToString();
    }

    /// <summary>A page that says what went wrong, with a way back.</summary>
    public string Problem(string heading, string message) =>
        Page(heading, "problem-page", liveUrl: null, html => html
            .Raw("<section class=\"card problem\"><h1>").Text(heading).Raw("</h1><p>").Text(message)
            .Raw("</p><p><a class=\"btn\" href=\"./\">Back to the runs</a></p></section>"));

    /// <summary>The runs list: filters, a table of runs and the pager.</summary>
    public string RunsPage(RunsFilter filter, TaskContainerPage page, long position)
    {
        var live = "events" + filter.QueryString() + (filter.QueryString().Length == 0 ? "?" : "&") + "v=" + position.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Page("Runs", "runs-page", live, html =>
        {
            html.Raw("<div class=\"page-head\"><h1>Runs</h1><p class=\"sub\">Task containers, newest change first.</p></div>");
            html.Raw("<nav class=\"tabs\" aria-label=\"State\">");
            foreach (var (state, _, label) in RunsFilter.StateChoices)
            {
                var link = (filter with { State = state, After = null }).Link();
                html.Raw("<a").Attr("class", state == filter.State ? "tab on" : "tab").Attr("href", link)
                    .Attr("aria-current", state == filter.State ? "page" : null).Raw(">").Text(label).Raw("</a>");
            }

            html.Raw("</nav><form class=\"filters\" method=\"get\" action=\"./\">");
            if (filter.State != TaskContainerStates.Any)
            {
                html.Raw("<input type=\"hidden\" name=\"state\"").Attr("value", filter.StateValue).Raw(">");
            }

            html.Raw("<label class=\"field\"><span>Name starts with</span><input type=\"search\" name=\"prefix\" maxlength=\"256\" spellcheck=\"false\" placeholder=\"feed-import:\"")
                .Attr("value", filter.Prefix ?? "").Raw("></label>")
                .Raw("<label class=\"field\"><span>Changed</span><select name=\"since\"><option value=\"\">any time</option>");
            var custom = filter.Since is not null && RunsFilter.SinceChoices.All(c => c.Value != filter.Since);
            if (custom)
            {
                html.Raw("<option selected").Attr("value", filter.Since).Raw(">since ").Text(filter.Since).Raw("</option>");
            }

            foreach (var (value, label, _) in RunsFilter.SinceChoices)
            {
                html.Raw("<option").Attr("value", value).Attr("selected", value == filter.Since ? "" : null).Raw(">").Text(label).Raw("</option>");
            }

            html.Raw("</select></label><button type=\"submit\" class=\"btn\">Apply</button>");
            if (filter != new RunsFilter(TaskContainerStates.Any, null, null, null))
            {
                html.Raw("<a class=\"btn ghost\" href=\"./\">Clear filters</a>");
            }

            html.Raw("</form><div class=\"card table-card\"><table class=\"grid runs\"><thead><tr>")
                .Raw("<th class=\"c-name\">Run</th><th class=\"c-state\">State</th><th class=\"c-progress\">Progress</th>")
                .Raw("<th class=\"c-tasks\">Tasks</th><th class=\"c-time\">Changed</th><th class=\"c-time\">Created</th></tr></thead>")
                .Raw("<tbody data-rows").Attr("data-insert", filter.IsFirstPage ? "" : null).Raw(">");
            foreach (var run in page.Containers)
            {
                RunRow(html, RunSummary.Of(run));
            }

            if (page.Containers.Count == 0)
            {
                html.Raw("<tr class=\"empty\" data-empty><td colspan=\"6\">").Text(filter.IsFirstPage ? "No runs match these filters." : "No more runs.").Raw("</td></tr>");
            }

            html.Raw("</tbody></table></div><nav class=\"pager\">");
            if (!filter.IsFirstPage)
            {
                html.Raw("<a class=\"btn ghost\"").Attr("href", filter.Link(withPage: false)).Raw(">← First page</a>");
            }

            html.Raw("<span class=\"sub\">").Text(Formats.Count(page.Containers.Count) + (page.Containers.Count == 1 ? " run" : " runs") + " on this page").Raw("</span>");
            if (page.ContinuationToken is not null)
            {
                html.Raw("<a class=\"btn\" rel=\"next\"").Attr("href", (filter with { After = page.ContinuationToken }).Link()).Raw(">Next page →</a>");
            }

            html.Raw("</nav>");
        });
    }

    /// <summary>One run of the list.</summary>
    public void RunRow(Html html, RunSummary run)
    {
        html.Raw("<tr").Attr("data-key", run.Name).Attr("data-state", run.State).Raw(">")
            .Raw("<td class=\"c-name\"><a").Attr("href", RunLink(run.Name)).Raw(">").Text(run.Name).Raw("</a></td><td class=\"c-state\">");
        RunBadges(html, run);
        html.Raw("</td><td class=\"c-progress\">");
        Meter(html, run.State, run.PercentageComplete, big: false);
        html.Raw("</td><td class=\"c-tasks\"><b>").Text(Formats.Count(run.CompletedCount)).Raw("</b> / ").Text(Formats.Count(run.TaskCount))
            .Raw(" done");
        var details = new List<string>(2);
        if (run.RunningCount > 0)
        {
            details.Add($"{Formats.Count(run.RunningCount)} running");
        }

        if (run.FailedCount > 0)
        {
            details.Add($"{Formats.Count(run.FailedCount)} failed");
        }

        if (details.Count > 0)
        {
            html.Raw("<div class=\"sub\">").Text(string.Join(" · ", details)).Raw("</div>");
        }

        html.Raw("</td><td class=\"c-time\">");
        Time(html, run.UpdatedAt);
        html.Raw("</td><td class=\"c-time\">");
        Time(html, run.CreatedAt);
        html.Raw("</td></tr>");
    }

    /// <summary>The run's page: its summary, the task filter and every task.</summary>
    public string RunPage(TaskContainer run, ResetToken? resetToken)
    {
        var tasks = run.Tasks;
        var live = "events?run=" + Uri.EscapeDataString(run.Name) + "&v=" + Formats.UnixMilliseconds(run.UpdatedAt).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Page(run.Name, "run-page", live, html =>
        {
            html.Raw("<nav class=\"crumbs\"><a href=\"./\">Runs</a><span aria-hidden=\"true\">/</span><span>").Text(run.Name).Raw("</span></nav>")
                .Raw("<section class=\"card summary\" data-summary>");
            Summary(html, run);
            html.Raw("</section><div class=\"notice\" data-notice role=\"status\" hidden></div>")
                .Raw("<div class=\"toolbar\"><input type=\"search\" class=\"filter\" data-filter placeholder=\"Filter tasks by name\" aria-label=\"Filter tasks by name\" spellcheck=\"false\">")
                .Raw("<div class=\"chips\" role=\"group\" aria-label=\"Show tasks\">");
            (string Value, string Label)[] chips = [("", "All"), ("running", "Running"), ("failed", "Failed"), ("stalled", "Stalled"), ("pending", "Pending"), ("completed", "Completed")];
            foreach (var (value, label) in chips)
            {
                var count = value switch
                {
                    "" => tasks.Count,
                    "stalled" => tasks.Count(t => t.IsStalled),
                    _ => tasks.Count(t => StatusClass(t.Status) == value),
                };
                html.Raw("<button type=\"button\"").Attr("class", value.Length == 0 ? "chip on" : "chip").Attr("data-show", value)
                    .Attr("aria-pressed", value.Length == 0 ? "true" : "false").Raw(">").Text(label)
                    .Raw(" <b").Attr("data-count", value).Raw(">").Text(Formats.Count(count)).Raw("</b></button>");
            }

            html.Raw("</div></div>");
            if (resetToken is not null)
            {
                html.Raw("<form id=\"reset-form\" method=\"post\" action=\"reset\" hidden><input type=\"hidden\"")
                    .Attr("name", resetToken.FieldName).Attr("value", resetToken.Value).Raw("><input type=\"hidden\" name=\"run\"")
                    .Attr("value", run.Name).Raw("></form>");
            }

            html.Raw("<div class=\"card table-card\"><table class=\"grid tasks\"><thead><tr>")
                .Raw("<th class=\"c-name\">Task</th><th class=\"c-state\">State</th><th class=\"c-progress\">Progress</th>")
                .Raw("<th class=\"c-num\">Attempts</th><th class=\"c-lease\">Lease</th><th class=\"c-times\">Times</th><th class=\"c-data\">Data</th>")
                .Raw("</tr></thead><tbody data-rows").Attr("data-run", run.Name).Raw(">");
            foreach (var task in tasks)
            {
                TaskRow(html, task, resetToken is not null);
            }

            if (tasks.Count == 0)
            {
                html.Raw("<tr class=\"empty\" data-empty><td colspan=\"7\">This run has no tasks yet.</td></tr>");
            }

            html.Raw("</tbody></table></div>");
        }, capacity: 64 * 1024 + (tasks.Count * 560));
    }

    /// <summary>The top of a run's page: name, state, overall progress and counts.</summary>
    public void Summary(Html html, TaskContainer container)
    {
        var run = RunSummary.Of(container);
        html.Raw("<div class=\"summary-head\"><h1>").Text(run.Name).Raw("</h1>");
        RunBadges(html, run);
        html.Raw("</div>");
        Meter(html, run.State, run.PercentageComplete, big: true);
        html.Raw("<dl class=\"stats\">");
        Stat(html, "", "Tasks", run.TaskCount);
        Stat(html, "completed", "Completed", run.CompletedCount);
        Stat(html, "running", "Running", run.RunningCount);
        Stat(html, "failed", "Failed", run.FailedCount);
        Stat(html, "stalled", "Stalled", run.StalledCount);
        Stat(html, "pending", "Pending", run.PendingCount);
        html.Raw("<div><dt>Created</dt><dd>");
        Time(html, run.CreatedAt);
        html.Raw("</dd></div><div><dt>Changed</dt><dd>");
        Time(html, run.UpdatedAt);
        html.Raw("</dd></div>");
        if (run.ExpiresAt is { } expires)
        {
            html.Raw("<div><dt>Removed</dt><dd>");
            Time(html, expires);
            html.Raw("</dd></div>");
        }

        html.Raw("</dl>");
    }

    /// <summary>One task of a run's page.</summary>
    public void TaskRow(Html html, TaskState task, bool allowReset)
    {
        var status = StatusClass(task.Status);
        html.Raw("<tr").Attr("data-key", task.Name).Attr("data-state", status).Attr("data-stalled", task.IsStalled ? "" : null).Raw(">")
            .Raw("<td class=\"c-name\"><div class=\"tname\">").Text(task.Name).Raw("</div>");
        if (task.DependsOn.Count > 0)
        {
            html.Raw("<div class=\"sub\">after ").Text(string.Join(", ", task.DependsOn)).Raw("</div>");
        }

        if (task.LastError is { } error)
        {
            html.Raw("<div").Attr("class", task.HasFailed ? "err" : "err soft").Raw("><b").Attr("title", error.Type).Raw(">").Text(ErrorType(error.Type)).Raw("</b> ")
                .Text(error.Message).Raw("</div>");
        }

        html.Raw("</td><td class=\"c-state\"><span").Attr("class", "badge " + status).Raw(">").Text(StatusLabel(task.Status)).Raw("</span>");
        if (task.IsStalled)
        {
            html.Raw("<span class=\"badge stalled\">Stalled</span>");
        }

        if (task.Status == TaskRunStatus.Pending && task.NextAttemptAt is { } next && next > now)
        {
            html.Raw("<div class=\"sub\">retry ");
            Time(html, next);
            html.Raw("</div>");
        }

        // A task that failed only because a task it depends on failed is reset with that one (the library refuses to
        // reset it alone, and its error names the task to reset): no button of its own.
        if (allowReset && task.Status == TaskRunStatus.Failed && task.LastError?.Type != TaskError.DependencyFailedType)
        {
            html.Raw("<button type=\"submit\" class=\"btn small danger\" form=\"reset-form\" name=\"task\"").Attr("value", task.Name).Raw(">Reset</button>");
        }

        html.Raw("</td><td class=\"c-progress\">");
        Meter(html, status, task.IsComplete && !task.HasFailed ? 100 : task.PercentageComplete, big: false);
        if (!string.IsNullOrEmpty(task.StatusText))
        {
            html.Raw("<div class=\"status-text\">").Text(task.StatusText).Raw("</div>");
        }

        html.Raw("</td><td class=\"c-num\">").Text(Formats.Count(task.InvokeCount)).Raw(" / ").Text(Formats.Count(task.MaxRetries + 1))
            .Raw("</td><td class=\"c-lease\">");
        if (task.Status == TaskRunStatus.Running && task.LeaseOwner is not null)
        {
            html.Text(task.LeaseOwner);
            if (task.LeasedTill is { } till)
            {
                html.Raw("<div").Attr("class", till < now ? "sub late" : "sub").Raw(">until ");
                Time(html, till);
                html.Raw("</div>");
            }
        }

        html.Raw("</td><td class=\"c-times\">");
        if (task.TaskEndedAt is { } ended)
        {
            html.Raw("ended ");
            Time(html, ended);
            if (task.Duration is { } duration)
            {
                html.Raw("<div class=\"sub\">took ").Text(Formats.Duration(duration)).Raw("</div>");
            }
        }
        else if (task.LastInvokedAt is { } started)
        {
            html.Raw("started ");
            Time(html, started);
        }
        else
        {
            html.Raw("added ");
            Time(html, task.CreatedAt);
        }

        html.Raw("</td><td class=\"c-data\">");
        Data(html, "input", "Input", task.TaskData);
        Data(html, "checkpoint", "Checkpoint", task.ProcessingData);
        html.Raw("</td></tr>");
    }

    public static string RunLink(string name) => "run?name=" + Uri.EscapeDataString(name);

    public static string StatusClass(TaskRunStatus status) => status switch
    {
        TaskRunStatus.Running => "running",
        TaskRunStatus.Completed => "completed",
        TaskRunStatus.Failed => "failed",
        _ => "pending",
    };

    private static string StatusLabel(TaskRunStatus status) => status switch
    {
        TaskRunStatus.Running => "Running",
        TaskRunStatus.Completed => "Completed",
        TaskRunStatus.Failed => "Failed",
        _ => "Pending",
    };

    /// <summary>
    /// An exception's type without its namespace (<c>IOException</c>), the library's own error types without their
    /// prefix (<c>DependencyFailed</c>); other types as they are. The full type is in the row's title.
    /// </summary>
    private static string ErrorType(string type)
    {
        const string LibraryPrefix = "PersistentTaskStatus.";
        var dot = type.LastIndexOf('.');
        return type.EndsWith("Exception", StringComparison.Ordinal) && dot >= 0 ? type[(dot + 1)..]
            : type.StartsWith(LibraryPrefix, StringComparison.Ordinal) ? type[LibraryPrefix.Length..]
            : type;
    }

    private static void RunBadges(Html html, RunSummary run)
    {
        var label = run.State switch
        {
            "failed" => "Failed",
            "completed" => "Complete",
            "running" => "Running",
            _ => "Pending",
        };
        html.Raw("<span").Attr("class", "badge " + run.State).Raw(">").Text(label).Raw("</span>");
        if (run.StalledCount > 0)
        {
            html.Raw("<span class=\"badge stalled\">").Text(Formats.Count(run.StalledCount)).Raw(" stalled</span>");
        }
    }

    private static void Meter(Html html, string state, double percentage, bool big)
    {
        html.Raw(big ? "<div class=\"meter big\">" : "<div class=\"meter\">")
            .Raw("<progress max=\"100\"").Attr("class", state).Attr("value", Formats.ProgressValue(percentage)).Raw("></progress><span>")
            .Text(Formats.Percentage(percentage)).Raw("</span></div>");
    }

    private static void Stat(Html html, string cssClass, string label, int value)
    {
        html.Raw("<div").Attr("class", cssClass.Length == 0 ? null : "s-" + cssClass).Raw("><dt>").Text(label).Raw("</dt><dd>")
            .Text(Formats.Count(value)).Raw("</dd></div>");
    }

    private void Time(Html html, DateTime utc)
    {
        // The exact time shows on hover: dashboard.js sets each time's title from its datetime (not repeated here,
        // which would add 40 bytes to every row of a large run).
        html.Raw("<time").Attr("datetime", Formats.Iso(utc)).Raw(">").Text(Formats.Relative(utc, now)).Raw("</time>");
    }

    /// <summary>
    /// A collapsed section for the task's data or checkpoint. Its content is fetched when it is opened
    /// (<see cref="DataText"/>), so that a page of 1,000 tasks does not carry 2,000 documents.
    /// </summary>
    private static void Data(Html html, string part, string label, BsonDocument? data)
    {
        if (data is null || data.ElementCount == 0)
        {
            return;
        }

        html.Raw("<details").Attr("data-part", part).Raw("><summary>").Text(label).Raw("</summary></details>");
    }

    /// <summary>A task's data or checkpoint as indented JSON (relaxed extended JSON), cut at <see cref="MaxDataCharacters"/>.</summary>
    public static string DataText(BsonDocument data)
    {
        var json = data.ToJson(DataJson);
        return json.Length <= MaxDataCharacters
            ? json
            : json[..MaxDataCharacters] + $"\n… ({(json.Length - MaxDataCharacters).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} more characters)";
    }
}
