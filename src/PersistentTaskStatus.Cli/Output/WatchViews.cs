using Spectre.Console;

namespace PersistentTaskStatus.Cli;

/// <summary>What <c>watch</c> shows of each new state.</summary>
internal interface IWatchView
{
    /// <summary>A container's new state; <paramref name="container"/> (with its tasks) when one container is watched.</summary>
    void Update(ContainerView view, TaskContainer? container);

    /// <summary>A watched container was deleted.</summary>
    void Removed(string name);
}

/// <summary>
/// The three ways <c>watch</c> shows progress: JSON lines (<c>--json</c>), live progress bars on a terminal, or a
/// plain log of what changed when the output goes to a file or a pipe.
/// </summary>
internal static class WatchViews
{
    public static async Task RunAsync(CommandOutput output, bool single, Func<IWatchView, Task> watch)
    {
        if (output.Json)
        {
            await watch(new JsonView(output, single));
        }
        else if (output.IsLive)
        {
            await output.Console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 30 }, new PercentageColumn())
                .StartAsync(context => watch(new LiveView(context, output)));
        }
        else
        {
            await watch(new LogView(output));
        }
    }

    /// <summary>One JSON document per line for each new state: the container with its tasks (as <c>show --json</c>), or its summary (as an item of <c>list --json</c>).</summary>
    private sealed class JsonView(CommandOutput output, bool single) : IWatchView
    {
        private readonly Dictionary<string, string> last = new(StringComparer.Ordinal);

        public void Update(ContainerView view, TaskContainer? container)
        {
            var line = single && container is not null
                ? CommandOutput.ToJsonLine(ContainerDetailJson.From(container))
                : CommandOutput.ToJsonLine(ContainerJson.From(view));
            if (last.TryGetValue(view.Name, out var previous) && previous == line)
            {
                return;
            }

            last[view.Name] = line;
            output.WriteRawLine(line);
        }

        public void Removed(string name) => last.Remove(name);
    }

    /// <summary>A line for each change of a container's state or counts (and every 10%), and of each task's status or attempt; times are the database's.</summary>
    private sealed class LogView(CommandOutput output) : IWatchView
    {
        private readonly Dictionary<string, string> last = new(StringComparer.Ordinal);

        public void Update(ContainerView view, TaskContainer? container)
        {
            var at = Formats.Clock(view.UpdatedAt);
            // A line when the state or a count changes, and at every tenth of the way: a log, not a stream of percentages.
            Line(view.Name, $"{view.State}|{Math.Floor(view.PercentageComplete / 10)}|{view.CompletedCount}|{view.FailedCount}|{view.RunningCount}",
                $"{at}  {view.Name}: {view.State}, {Formats.Percent(view.PercentageComplete)}, {view.CompletedCount}/{view.TaskCount} tasks done, {view.FailedCount} failed, {view.RunningCount} running");
            if (container is null)
            {
                return;
            }

            foreach (var task in container.Tasks)
            {
                var key = $"{task.Status}|{task.InvokeCount}|{task.LeaseOwner}|{task.IsStalled}|{task.NextAttemptAt}";
                Line($"{view.Name}\0{task.Name}", key, $"{at}    {task.Name}: {Formats.Describe(task, output.UtcNow).Text}");
            }
        }

        public void Removed(string name) => output.WriteLine($"{name}: deleted");

        private void Line(string what, string key, string text)
        {
            if (last.TryGetValue(what, out var previous) && previous == key)
            {
                return;
            }

            last[what] = key;
            output.WriteLine(text);
        }
    }

    /// <summary>Live bars: one for the whole run and one per task, or one per container under a prefix.</summary>
    private sealed class LiveView(ProgressContext context, CommandOutput output) : IWatchView
    {
        private readonly Dictionary<string, ProgressTask> bars = new(StringComparer.Ordinal);

        // What fits beside the bar and the percentage: Spectre drops the bar of a line that is too wide.
        private readonly int width = Math.Clamp(output.Console.Profile.Width - 30 - 5 - 4, 30, 100);

        public void Update(ContainerView view, TaskContainer? container)
        {
            Bar(view.Name, view.IsComplete ? 100 : view.PercentageComplete,
                $"{view.Name}: {view.State}, {view.CompletedCount}/{view.TaskCount} done, {view.FailedCount} failed, {view.RunningCount} running",
                container is null ? Formats.Style(view.State) : "bold");
            if (container is null)
            {
                return;
            }

            var nameWidth = Math.Min(24, container.Tasks.Select(t => t.Name.Length).DefaultIfEmpty(0).Max() + 1);
            foreach (var task in container.Tasks)
            {
                var (text, style) = Formats.Describe(task, output.UtcNow);
                Bar($"{view.Name}\0{task.Name}", task.IsComplete && !task.HasFailed ? 100 : task.PercentageComplete,
                    $"  {Formats.Clip(task.Name, nameWidth).PadRight(nameWidth)} {text}", style);
            }

            context.Refresh();
        }

        public void Removed(string name)
        {
            if (bars.TryGetValue(name, out var bar))
            {
                bar.Description = $"[red]{Markup.Escape(Fit($"{name}: deleted"))}[/]";
                bar.StopTask();
            }
        }

        private void Bar(string key, double value, string text, string style)
        {
            if (!bars.TryGetValue(key, out var bar))
            {
                bar = context.AddTask(Markup.Escape(Fit(text)), maxValue: 100);
                bars.Add(key, bar);
            }

            bar.Value = value;
            bar.Description = $"[{style}]{Markup.Escape(Fit(text))}[/]";
        }

        private string Fit(string text) => Formats.Clip(text.ReplaceLineEndings(" "), width).PadRight(width);
    }
}
