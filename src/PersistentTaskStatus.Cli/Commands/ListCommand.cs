using System.CommandLine;
using Spectre.Console;

namespace PersistentTaskStatus.Cli;

/// <summary><c>pts list</c>: the containers, newest change first, filtered as the query API filters them.</summary>
internal static class ListCommand
{
    private const int DefaultLimit = 50;

    private static readonly Dictionary<string, TaskContainerStates> States = new()
    {
        ["any"] = TaskContainerStates.Any,
        ["incomplete"] = TaskContainerStates.Incomplete,
        ["complete"] = TaskContainerStates.Complete,
        ["failed"] = TaskContainerStates.Failed,
        ["stalled"] = TaskContainerStates.Stalled,
    };

    public static Command Create(CommandRunner runner)
    {
        var state = new Option<string>("--state", "-s")
        {
            Description = "Only containers in this state",
            DefaultValueFactory = _ => "any",
        };
        state.AcceptOnlyFromAmong([.. States.Keys]);
        var prefix = new Option<string?>("--prefix", "-p") { Description = "Only containers whose name starts with this text", HelpName = "text" };
        var since = new Option<string?>("--since") { Description = "Only containers changed since then: an ISO 8601 date (UTC unless it says) or a duration ago, such as 2h or 3d", HelpName = "when" };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many containers", DefaultValueFactory = _ => DefaultLimit, HelpName = "count" };
        var all = new Option<bool>("--all", "-a") { Description = "Every matching container, however many (ignores --limit)" };
        var pageSize = new Option<int>("--page-size") { Description = $"Containers per round trip, 1 to {TaskContainerQuery.MaxPageSize}", DefaultValueFactory = _ => 100, HelpName = "count" };
        var continuation = new Option<string?>("--continue") { Description = "Start after the last page: the continuation token that the previous list printed", HelpName = "token" };

        var command = new Command("list", "Lists task containers, newest change first: name, state, progress, tasks done/total, failed, running, stalled, last change.")
        {
            state, prefix, since, limit, all, pageSize, continuation,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var query = new TaskContainerQuery
            {
                State = States[context.Get(state)!],
                NamePrefix = context.Get(prefix),
                ContinuationToken = context.Get(continuation),
            };
            if (context.Get(since) is { } sinceText)
            {
                query.ChangedSince = Durations.TryParseSince(sinceText, context.Environment.TimeProvider.GetUtcNow())
                    ?? throw CliException.Usage($"--since: '{sinceText}' is neither an ISO 8601 date nor a duration such as 2h.");
            }

            var max = context.Get(all) ? int.MaxValue : context.Get(limit);
            var size = context.Get(pageSize);
            if (max < 1)
            {
                throw CliException.Usage("--limit must be at least 1.");
            }

            if (size is < 1 or > TaskContainerQuery.MaxPageSize)
            {
                throw CliException.Usage($"--page-size must be from 1 to {TaskContainerQuery.MaxPageSize}.");
            }

            var (containers, next) = await ReadAsync(context.Client, query, max, size, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(new ListJson([.. containers.Select(ContainerJson.From)], next));
            }
            else
            {
                Print(context.Output, containers, next);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Reads up to <paramref name="max"/> containers, page by page. The last request asks only for what is still
    /// wanted, so its continuation token starts exactly after the last container returned.
    /// </summary>
    private static async Task<(List<ContainerView> Containers, string? Next)> ReadAsync(
        TaskStatusClient client, TaskContainerQuery query, int max, int pageSize, CancellationToken cancellationToken)
    {
        var containers = new List<ContainerView>();
        while (true)
        {
            query.PageSize = Math.Min(pageSize, max - containers.Count);
            var page = await client.QueryTaskContainersAsync(query, cancellationToken);
            containers.AddRange(page.Containers.Select(ContainerView.From));
            if (page.ContinuationToken is null || containers.Count >= max)
            {
                return (containers, page.ContinuationToken);
            }

            query.ContinuationToken = page.ContinuationToken;
        }
    }

    private static void Print(CommandOutput output, List<ContainerView> containers, string? next)
    {
        if (containers.Count == 0)
        {
            output.WriteLine("No task containers match.");
            return;
        }

        var now = output.UtcNow;
        var table = Tables.Create("NAME", "STATE", "PROGRESS", "TASKS", "FAILED", "RUNNING", "STALLED", "UPDATED");
        Tables.AlignRight(table, 2, 3, 4, 5, 6);
        foreach (var c in containers)
        {
            table.AddRow(
                Markup.Escape(c.Name),
                Formats.Styled(c.State),
                Formats.Percent(c.PercentageComplete),
                $"{c.CompletedCount}/{c.TaskCount}",
                Tables.Count(c.FailedCount, "red"),
                Tables.Count(c.RunningCount, "blue"),
                Tables.Count(c.StalledCount, "yellow"),
                $"{Formats.Time(c.UpdatedAt)} ({Formats.Ago(c.UpdatedAt, now)})");
        }

        output.Write(table);
        if (next is not null)
        {
            output.WriteLine($"More containers match: add --continue {next} for the next ones, or --all for every one.");
        }
    }
}
