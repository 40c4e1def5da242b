using System.CommandLine;

namespace PersistentTaskStatus.Cli;

/// <summary>What a command's action gets: its parsed arguments, where to write, and the connection.</summary>
internal sealed record CommandContext(ParseResult ParseResult, CommandOutput Output, Connection Connection, CliEnvironment Environment)
{
    public TaskStatusClient Client => Connection.Client;

    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    public T Get<T>(Argument<T> argument) => ParseResult.GetRequiredValue(argument);
}

/// <summary>
/// Runs the commands' actions in one frame: resolves the connection, opens the output, and turns every error into
/// its message and exit code (<see cref="ErrorReporter"/>), so that each command holds only what it does.
/// </summary>
internal sealed class CommandRunner(GlobalOptions globals, CliEnvironment environment)
{
    public void SetAction(Command command, Func<CommandContext, CancellationToken, Task<int>> action) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, action, cancellationToken));

    private async Task<int> RunAsync(ParseResult parseResult, Func<CommandContext, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        Connection? connection = null;
        try
        {
            connection = Connection.Resolve(parseResult, globals, environment);
            var output = new CommandOutput(environment, parseResult.GetValue(globals.Json));
            return await action(new CommandContext(parseResult, output, connection, environment), cancellationToken);
        }
        catch (Exception ex)
        {
            return ErrorReporter.Report(ex, environment, connection, cancellationToken);
        }
        finally
        {
            connection?.Dispose();
        }
    }
}
