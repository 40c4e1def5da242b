using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace PersistentTaskStatus.Sample;

/// <summary>What the supervisor shows while the run goes on: the container's state as read from the database.</summary>
internal interface IRunView
{
    void Update(TaskContainer container, WorkerFleet fleet);

    void Note(string text);
}

/// <summary>
/// Live progress bars on a terminal (one per step and one for the whole run), or, when the output goes to a file or
/// a pipe, a plain log of what changed. Both only read the container's state; the workers write it.
/// </summary>
internal static class ProgressDisplay
{
    /// <param name="clock">The run's clock, so that the log's times and the summary's agree.</param>
    /// <param name="run">The supervision, which updates the view.</param>
    /// <param name="killsPlanned">How many workers the supervisor means to kill (the length of the crashes bar).</param>
    public static async Task RunAsync(Stopwatch clock, int killsPlanned, Func<IRunView, Task> run)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            await run(new PlainView(clock));
            return;
        }

        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn())
            .StartAsync(context => run(new LiveView(context, killsPlanned)));
    }

    /// <summary>One step's state in a few words: who runs it, its status text, or why it waits.</summary>
    public static (string Text, string Color) Describe(TaskState task, WorkerFleet fleet)
    {
        var owner = fleet.Workers.FirstOrDefault(w => w.Name == task.LeaseOwner);
        return task.Status switch
        {
            TaskRunStatus.Completed => (task.InvokeCount > 1 ? $"done, {task.InvokeCount} attempts" : "done", "green"),
            TaskRunStatus.Failed => ($"FAILED: {task.LastError?.Message}", "red"),
            TaskRunStatus.Running when owner is { Killed: true } =>
                ($"{owner.Name} killed; lease ends in {Seconds(task.LeasedTill)}", "darkorange"),
            TaskRunStatus.Running => ($"{task.LeaseOwner} #{task.InvokeCount}: {(string.IsNullOrEmpty(task.StatusText) ? "starting" : task.StatusText)}", "default"),
            _ when task.NextAttemptAt is not null => ($"retry in {Seconds(task.NextAttemptAt)} ({task.LastError?.Message})", "yellow"),
            _ when task.InvokeCount > 0 => ($"waiting to resume ({task.InvokeCount} attempts so far)", "yellow"),
            _ => ("waiting", "grey"),
        };
    }

    private static string Seconds(DateTime? at) =>
        at is { } time ? $"{Math.Max(0, (time - DateTime.UtcNow).TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture)} s" : "-";

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private sealed class LiveView : IRunView
    {
        private readonly ProgressContext context;
        private readonly ProgressTask run;
        private readonly ProgressTask crashes;
        private readonly Dictionary<string, ProgressTask> steps = [];

        // What fits beside the bars on this terminal: Spectre drops the bars of lines that are too wide.
        private readonly int width = Math.Clamp(AnsiConsole.Profile.Width - 24 - 5 - 4, 40, 83);

        public LiveView(ProgressContext context, int killsPlanned)
        {
            this.context = context;
            run = context.AddTask("whole run", maxValue: 100);
            crashes = context.AddTask(Line("crashes: none yet", "darkorange"), maxValue: Math.Max(1, killsPlanned));
        }

        public void Update(TaskContainer container, WorkerFleet fleet)
        {
            run.Value = container.PercentageComplete;
            run.Description = Line($"whole run: {container.CompletedCount}/{container.TaskCount} steps, {fleet.Live} workers live", "bold");
            crashes.Value = fleet.KilledCount;
            foreach (var task in container.Tasks)
            {
                if (!steps.TryGetValue(task.Name, out var bar))
                {
                    bar = context.AddTask(task.Name, maxValue: 100);
                    steps.Add(task.Name, bar);
                }

                var (text, color) = Describe(task, fleet);
                bar.Value = task.IsComplete ? 100 : task.PercentageComplete;
                bar.Description = $"{Markup.Escape(task.Name.PadRight(22))} " + Line(text, color, width - 23);
            }
        }

        public void Note(string text) => crashes.Description = Line(text, "darkorange");

        private string Line(string text, string style, int? length = null)
        {
            var fit = length ?? width;
            return $"[{style}]{Markup.Escape(Clip(text, fit).PadRight(fit))}[/]";
        }
    }

    private sealed class PlainView(Stopwatch clock) : IRunView
    {
        private readonly Dictionary<string, string> last = [];
        private TimeSpan? lastSummary;

        public void Update(TaskContainer container, WorkerFleet fleet)
        {
            foreach (var task in container.Tasks)
            {
                // One line per change of state (not per percent), so that a log stays readable.
                var (text, color) = Describe(task, fleet);
                var key = $"{task.Status}/{task.InvokeCount}/{task.LeaseOwner}/{color}";
                if (!last.TryGetValue(task.Name, out var previous) || previous != key)
                {
                    last[task.Name] = key;
                    Write($"{task.Name,-22} {text}");
                }
            }

            if (lastSummary is null || clock.Elapsed - lastSummary >= TimeSpan.FromSeconds(2))
            {
                lastSummary = clock.Elapsed;
                Write($"whole run {container.PercentageComplete,5:0.0}%: {container.CompletedCount}/{container.TaskCount} steps, {fleet.Live} workers live, {fleet.KilledCount} killed");
            }
        }

        public void Note(string text) => Write(text);

        private void Write(string line) => Console.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0}s  {line}");
    }
}
