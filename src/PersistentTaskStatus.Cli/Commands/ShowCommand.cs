using System.CommandLine;
using Spectre.Console;

namespace PersistentTaskStatus.Cli;

/// <summary><c>pts show</c>: one container and its tasks.</summary>
internal static class ShowCommand
{
    public static Command Create(CommandRunner runner)
    {
        var container = ContainerArgument.Create();
        var command = new Command("show", "Shows a container's tasks: state, progress, status text, attempts, lease holder and expiry, stalled, last error.")
        {
            container,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var read = await ContainerArgument.ReadAsync(context.Client, context.Get(container), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(ContainerDetailJson.From(read));
            }
            else
            {
                Print(context.Output, read);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static void Print(CommandOutput output, TaskContainer container)
    {
        var now = output.UtcNow;
        output.MarkupLine(Heading(ContainerView.From(container), now));
        if (container.TaskCount == 0)
        {
            output.WriteLine("No tasks.");
            return;
        }

        var table = Tables.Create("TASK", "STATE", "PROGRESS", "STATUS", "ATTEMPTS", "LEASE", "STALLED", "LAST ERROR");
        Tables.AlignRight(table, 2, 4);
        foreach (var task in container.Tasks)
        {
            var state = Formats.Status(task.Status);
            if (task.Status == TaskRunStatus.Pending && task.NextAttemptAt is { } next && next > now)
            {
                state += $" (retry {Formats.Ago(next, now)})";
            }

            table.AddRow(
                Markup.Escape(task.Name),
                $"[{Formats.Style(Formats.Status(task.Status))}]{Markup.Escape(state)}[/]",
                Formats.Percent(task.IsComplete && !task.HasFailed ? 100 : task.PercentageComplete),
                Markup.Escape(Formats.Clip(task.StatusText ?? "", 60)),
                Formats.Attempts(task),
                Markup.Escape(Formats.Lease(task, now)),
                task.IsStalled ? "[yellow]yes[/]" : "",
                Markup.Escape(Formats.Error(task.LastError)));
        }

        output.Write(table);
    }

    /// <summary>The line above the table: the container's name, state, progress and counts.</summary>
    public static string Heading(ContainerView c, DateTime now) =>
        $"[bold]{Markup.Escape(c.Name)}[/]: {Formats.Styled(c.State)}, {Formats.Percent(c.PercentageComplete)}, " +
        $"{c.CompletedCount}/{c.TaskCount} tasks done, {c.FailedCount} failed, {c.RunningCount} running, {c.StalledCount} stalled; " +
        $"updated {Formats.Time(c.UpdatedAt)} ({Formats.Ago(c.UpdatedAt, now)})";
}
