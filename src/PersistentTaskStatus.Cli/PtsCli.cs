using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace PersistentTaskStatus.Cli;

/// <summary>The entry point of <c>pts</c>: parses the arguments, runs the command and returns its exit code.</summary>
public static class PtsCli
{
    /// <summary>Runs <c>pts</c> with <paramref name="args"/> against <paramref name="environment"/>.</summary>
    /// <param name="args">The arguments, without the program's name.</param>
    /// <param name="environment">Output, error, input and environment variables; <see cref="CliEnvironment.FromConsole"/> for the real ones.</param>
    /// <param name="cancellationToken">Stops the command (as Ctrl+C does); the exit code is then 130.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var root = BuildCommand(environment);
        var parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            var command = string.Join(' ', parseResult.CommandResult.Command == root ? ["pts"] : new[] { "pts", parseResult.CommandResult.Command.Name });
            return await UsageErrorAsync(environment, command, parseResult.Errors.Select(e => e.Message));
        }

        var configuration = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = environment.HandleTermination ? TimeSpan.FromSeconds(2) : null,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }

    private static async Task<int> UsageErrorAsync(CliEnvironment environment, string command, IEnumerable<string> errors)
    {
        foreach (var error in errors)
        {
            await environment.Error.WriteLineAsync($"error: {error}");
        }

        await environment.Error.WriteLineAsync($"Run '{command} --help' for usage.");
        return ExitCodes.Usage;
    }

    /// <summary>The command tree; its actions write to <paramref name="environment"/>.</summary>
    internal static Command BuildCommand(CliEnvironment environment)
    {
        var globals = new GlobalOptions();

        // A command named pts rather than a RootCommand, which takes its name from the executable (a dll or a test host).
        var root = new Command(
            "pts",
            "pts: the task containers of PersistentTaskStatus in MongoDB. Lists, shows and watches them, resets failed tasks, deletes containers.\n" +
            "Exit codes: 0 ok, 1 the watched run failed, 2 usage error, 3 not found, 4 MongoDB unreachable or timed out, 5 state conflict, 6 deletion declined.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        globals.AddTo(root);
        var runner = new CommandRunner(globals, environment);
        root.Subcommands.Add(ListCommand.Create(runner));
        root.Subcommands.Add(ShowCommand.Create(runner));
        root.Subcommands.Add(WatchCommand.Create(runner));
        root.Subcommands.Add(ResetCommand.Create(runner));
        root.Subcommands.Add(DeleteCommand.Create(runner));

        // Without an action of its own, the root reports "Required command was not provided." beside any other parse
        // error (an unknown command gets both); with one, an unknown command is reported alone, and no command at all
        // is this usage error.
        root.SetAction((_, _) => UsageErrorAsync(
            environment,
            "pts",
            [$"no command given: {string.Join(", ", root.Subcommands.Select(c => c.Name))}."]));
        return root;
    }
}
