using System.CommandLine;
using Spectre.Console;

namespace PersistentTaskStatus.Cli;

/// <summary><c>pts reset</c>: the operator's reset of a failed task (and of the tasks that failed because of it).</summary>
internal static class ResetCommand
{
    public static Command Create(CommandRunner runner)
    {
        var container = ContainerArgument.Create();
        var task = new Argument<string>("task") { Description = "The failed task's name" };
        var command = new Command("reset", "Puts a failed task, and the tasks that failed because of it, back to pending with their attempts reset.")
        {
            container, task,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var read = await ContainerArgument.ReadAsync(context.Client, context.Get(container), cancellationToken);
            var failedBefore = read.Tasks.Where(t => t.HasFailed).Select(t => t.Name).ToHashSet();
            var name = context.Get(task);
            var reset = await read.ResetTaskAsync(name, cancellationToken);

            // The handle now holds the state the reset committed: the dependents it reset are no longer failed.
            var alsoReset = read.Tasks.Where(t => t.Name != name && failedBefore.Contains(t.Name) && !t.HasFailed).Select(t => t.Name).ToList();
            if (context.Output.Json)
            {
                context.Output.WriteJson(new ResetJson(read.Name, TaskJson.From(reset), alsoReset));
            }
            else
            {
                context.Output.MarkupLine(
                    $"Reset task [bold]'{Markup.Escape(name)}'[/] of [bold]'{Markup.Escape(read.Name)}'[/]: {Formats.Styled(Formats.Status(reset.Status))}, attempts {Formats.Attempts(reset)}.");
                if (alsoReset.Count > 0)
                {
                    context.Output.WriteLine($"Also reset, having failed because of it: {string.Join(", ", alsoReset.Select(t => $"'{t}'"))}.");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
