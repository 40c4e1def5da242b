using System.Text.RegularExpressions;
using MongoDB.Driver;

namespace PersistentTaskStatus.Cli;

/// <summary>
/// Turns an exception into one line on standard error and an exit code (see <see cref="ExitCodes"/>): never a stack
/// trace, never the connection string or its password.
/// </summary>
internal static partial class ErrorReporter
{
    /// <summary>MongoDB's "Unauthorized".</summary>
    private const int Unauthorized = 13;

    [GeneratedRegex(@" \(Parameter '[^']*'\)$")]
    private static partial Regex ParameterSuffix();

    public static int Report(Exception exception, CliEnvironment environment, Connection? connection, CancellationToken cancellationToken)
    {
        var (code, message) = Classify(exception, connection, cancellationToken);
        if (connection is not null)
        {
            message = connection.Redact(message);
        }

        environment.Error.WriteLine($"error: {message}");
        return code;
    }

    private static (int Code, string Message) Classify(Exception exception, Connection? connection, CancellationToken cancellationToken)
    {
        var hosts = connection?.Hosts ?? "the server";
        var timeout = connection is null ? "" : $"{connection.Timeout.TotalSeconds:0.###} s";
        return exception switch
        {
            CliException cli => (cli.ExitCode, cli.Message),
            OperationCanceledException when cancellationToken.IsCancellationRequested => (ExitCodes.Interrupted, "interrupted."),
            TaskContainerNotFoundException or TaskNotFoundException => (ExitCodes.NotFound, exception.Message),
            TaskStateException => (ExitCodes.Conflict, exception.Message),
            TimeoutException { InnerException: OperationCanceledException } =>
                (ExitCodes.Unavailable, $"MongoDB at {hosts} took too long to answer; the operation timed out."),
            TimeoutException when connection?.UnreachableCause() is { } cause =>
                (ExitCodes.Unavailable, $"cannot reach MongoDB at {hosts}: {cause}."),
            TimeoutException =>
                (ExitCodes.Unavailable, $"cannot reach MongoDB at {hosts} (no server answered within {timeout}). Check that it is running and that --connection or MONGODB_URI names it; --timeout sets how long to wait."),
            MongoAuthenticationException =>
                (ExitCodes.Unavailable, $"MongoDB at {hosts} refused the credentials of the connection string (authentication failed)."),
            MongoConnectionException =>
                (ExitCodes.Unavailable, $"cannot connect to MongoDB at {hosts}: {Innermost(exception).Message}"),
            MongoCommandException { Code: Unauthorized } command =>
                (ExitCodes.Unavailable, $"MongoDB at {hosts} refused the command: {command.ErrorMessage}"),
            // The library refuses bad input (an invalid name, a continuation token it did not issue) before any round trip.
            ArgumentException argument when CameFromLibrary(argument) =>
                (ExitCodes.Usage, $"invalid {argument.ParamName ?? "argument"}: {ParameterSuffix().Replace(argument.Message, "")}"),
            _ => (ExitCodes.Internal, $"unexpected {exception.GetType().Name}: {exception.Message}"),
        };
    }

    /// <summary>Whether the library threw it (directly or through a guard it called), rather than this tool or another library.</summary>
    private static bool CameFromLibrary(Exception exception) =>
        new System.Diagnostics.StackTrace(exception).GetFrames().Any(f => f.GetMethod()?.DeclaringType?.Assembly == typeof(TaskStatusClient).Assembly);

    public static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}
