using System.CommandLine;

namespace PersistentTaskStatus.Cli;

/// <summary><c>pts delete</c>: removes a container and all its tasks, after a confirmation when a person is at the terminal.</summary>
internal static class DeleteCommand
{
    public static Command Create(CommandRunner runner)
    {
        var container = ContainerArgument.Create();
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete without asking (standard input that is not a terminal is never asked)" };
        var command = new Command("delete", "Deletes a container and all its tasks. Asks first when standard input is a terminal, unless --yes.")
        {
            container, yes,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var name = context.Get(container);
            if (context.Environment.IsInputTerminal && !context.Get(yes))
            {
                var read = await ContainerArgument.ReadAsync(context.Client, name, cancellationToken);
                var view = ContainerView.From(read);
                context.Output.Note($"Delete task container '{name}' ({view.State}, {Formats.Percent(view.PercentageComplete)}, {view.TaskCount} tasks)? This cannot be undone. [y/N] ");
                var answer = (await context.Environment.In.ReadLineAsync(cancellationToken))?.Trim();
                if (answer is null || !(answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new CliException(ExitCodes.Declined, $"not deleted: task container '{name}' is unchanged.");
                }
            }

            if (!await context.Client.DeleteTaskContainerAsync(name, cancellationToken))
            {
                throw new TaskContainerNotFoundException(name);
            }

            if (context.Output.Json)
            {
                context.Output.WriteJson(new DeleteJson(name, Deleted: true));
            }
            else
            {
                context.Output.WriteLine($"Deleted task container '{name}'.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
