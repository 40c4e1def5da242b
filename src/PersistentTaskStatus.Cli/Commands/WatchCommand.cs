using System.CommandLine;
using System.Threading.Channels;
using Spectre.Console;

namespace PersistentTaskStatus.Cli;

/// <summary>
/// <c>pts watch</c>: follows a container (or every container under a prefix) through the library's watch API until
/// the run is complete, then exits 0, or 1 when a task failed for good.
/// </summary>
internal static class WatchCommand
{
    public static Command Create(CommandRunner runner)
    {
        var container = new Argument<string?>("container") { Description = "The container to watch", Arity = ArgumentArity.ZeroOrOne };
        var prefix = new Option<string?>("--prefix", "-p") { Description = "Watch every container whose name starts with this text instead", HelpName = "text" };
        var command = new Command(
            "watch",
            "Shows live progress until the run is complete; exits 0 when it completed, 1 when a task failed for good. " +
            "With --prefix: the containers under the prefix that are incomplete, or that appear, until all are complete.")
        {
            container, prefix,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(container) is null == result.GetValue(prefix) is null)
            {
                result.AddError("watch takes a container name or --prefix <text>, not both and not neither.");
            }
        });
        runner.SetAction(command, (context, cancellationToken) =>
            context.ParseResult.GetValue(container) is { } name
                ? WatchOneAsync(context, name, cancellationToken)
                : WatchManyAsync(context, context.Get(prefix)!, cancellationToken));
        return command;
    }

    private static async Task<int> WatchOneAsync(CommandContext context, string name, CancellationToken cancellationToken)
    {
        var client = context.Client;
        var first = await ContainerArgument.ReadAsync(client, name, cancellationToken);
        var last = first;
        await WatchViews.RunAsync(context.Output, single: true, async view =>
        {
            view.Update(ContainerView.From(first), first);
            if (first.IsComplete)
            {
                return;
            }

            await foreach (var change in MergeAsync(
                token => StreamAsync(first.WatchAsync(includeCurrentState: true, token), () => ReadAsync(client, name, token), token),
                async token => [await ReadAsync(client, name, token)],
                context.Environment.WatchRefreshInterval,
                cancellationToken))
            {
                if (change.View is null)
                {
                    throw new CliException(ExitCodes.NotFound, $"Task container '{name}' was deleted while it was watched.");
                }

                if (change.View.UpdatedAt < last.UpdatedAt)
                {
                    continue;   // an older state, read before the newer one arrived
                }

                last = change.Container!;
                view.Update(change.View, last);
                if (last.IsComplete)
                {
                    return;
                }
            }
        });

        if (!context.Output.Json)
        {
            PrintOutcome(context.Output, last);
        }

        return last.HasFailed ? ExitCodes.RunFailed : ExitCodes.Ok;
    }

    private static async Task<int> WatchManyAsync(CommandContext context, string prefix, CancellationToken cancellationToken)
    {
        var client = context.Client;
        var tracked = new Dictionary<string, ContainerView>(StringComparer.Ordinal);
        foreach (var view in await QueryIncompleteAsync(client, prefix, cancellationToken))
        {
            tracked[view.Name] = view;
        }

        if (tracked.Count == 0)
        {
            if (!context.Output.Json)
            {
                context.Output.WriteLine($"No incomplete task container's name starts with '{prefix}'.");
            }

            return ExitCodes.Ok;
        }

        await WatchViews.RunAsync(context.Output, single: false, async view =>
        {
            foreach (var container in tracked.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                view.Update(container, null);
            }

            await foreach (var change in MergeAsync(
                token => StreamAsync(client.WatchAsync(prefix, token), null, token),
                token => RefreshManyAsync(client, prefix, tracked, token),
                context.Environment.WatchRefreshInterval,
                cancellationToken))
            {
                if (change.View is null)
                {
                    if (tracked.Remove(change.Name))
                    {
                        view.Removed(change.Name);
                    }
                }
                else if (!tracked.TryGetValue(change.Name, out var known) || change.View.UpdatedAt >= known.UpdatedAt)
                {
                    tracked[change.Name] = change.View;
                    view.Update(change.View, null);
                }

                if (tracked.Values.All(c => c.IsComplete))
                {
                    return;
                }
            }
        });

        var failed = tracked.Values.Where(c => c.HasFailed).Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
        if (!context.Output.Json)
        {
            context.Output.MarkupLine(failed.Count == 0
                ? $"[green]All {tracked.Count} containers completed.[/]"
                : $"[red]{failed.Count} of {tracked.Count} containers FAILED:[/] {Markup.Escape(string.Join(", ", failed))}. See them with: pts show <container>");
        }

        return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.RunFailed;
    }

    private static void PrintOutcome(CommandOutput output, TaskContainer container)
    {
        var name = Markup.Escape(container.Name);
        if (!container.HasFailed)
        {
            output.MarkupLine($"[green]{name} completed:[/] {container.CompletedCount}/{container.TaskCount} tasks.");
            return;
        }

        output.MarkupLine($"[red]{name} FAILED:[/] {container.FailedCount} of {container.TaskCount} tasks failed for good.");
        foreach (var task in Formats.RootFailures(container))
        {
            output.WriteLine($"  {task.Name}: {Formats.Error(task.LastError, 160)}");
            output.WriteLine($"    once its cause is fixed: pts reset '{container.Name}' '{task.Name}'");
        }
    }

    /// <summary>One change: a container's new state, or its deletion (no view).</summary>
    private sealed record Change(string Name, ContainerView? View, TaskContainer? Container)
    {
        public static Change Of(TaskContainer container) => new(container.Name, ContainerView.From(container), container);
    }

    private static async Task<Change> ReadAsync(TaskStatusClient client, string name, CancellationToken cancellationToken) =>
        await client.GetTaskContainerAsync(name, cancellationToken) is { } container ? Change.Of(container) : new Change(name, null, null);

    /// <summary>The watch API's states; when it ends by itself (the container was deleted), <paramref name="atEnd"/> says what became of it.</summary>
    private static async IAsyncEnumerable<Change> StreamAsync(
        IAsyncEnumerable<TaskContainer> watch,
        Func<Task<Change>>? atEnd,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var container in watch.WithCancellation(cancellationToken))
        {
            yield return Change.Of(container);
        }

        if (atEnd is not null && !cancellationToken.IsCancellationRequested)
        {
            yield return await atEnd();
        }
    }

    private static async Task<List<ContainerView>> QueryIncompleteAsync(TaskStatusClient client, string prefix, CancellationToken cancellationToken)
    {
        var query = new TaskContainerQuery { State = TaskContainerStates.Incomplete, NamePrefix = prefix, PageSize = TaskContainerQuery.MaxPageSize };
        var views = new List<ContainerView>();
        do
        {
            var page = await client.QueryTaskContainersAsync(query, cancellationToken);
            views.AddRange(page.Containers.Select(ContainerView.From));
            query.ContinuationToken = page.ContinuationToken;
        }
        while (query.ContinuationToken is not null);
        return views;
    }

    /// <summary>Re-reads what a prefix watch follows: the incomplete containers, and those it tracked that are no longer incomplete.</summary>
    private static async Task<IReadOnlyList<Change>> RefreshManyAsync(
        TaskStatusClient client, string prefix, IReadOnlyDictionary<string, ContainerView> tracked, CancellationToken cancellationToken)
    {
        var pending = tracked.Values.Where(c => !c.IsComplete).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var changes = new List<Change>();
        foreach (var view in await QueryIncompleteAsync(client, prefix, cancellationToken))
        {
            pending.Remove(view.Name);
            changes.Add(new Change(view.Name, view, null));
        }

        foreach (var name in pending)
        {
            changes.Add(await ReadAsync(client, name, cancellationToken));
        }

        return changes;
    }

    /// <summary>
    /// The changes of the watch stream, plus a re-read every <paramref name="interval"/>. The watch API reports changes
    /// from the moment it starts, so a change between the first read and that moment (the last one, maybe) would
    /// otherwise never be seen; the re-reads make sure the watch ends.
    /// </summary>
    private static async IAsyncEnumerable<Change> MergeAsync(
        Func<CancellationToken, IAsyncEnumerable<Change>> watch,
        Func<CancellationToken, Task<IReadOnlyList<Change>>> refresh,
        TimeSpan interval,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<Change>();
        async Task ProduceAsync(Func<Task> produce)
        {
            try
            {
                await produce();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }

        var producers = Task.WhenAll(
            ProduceAsync(async () =>
            {
                await foreach (var change in watch(stop.Token))
                {
                    await channel.Writer.WriteAsync(change, stop.Token);
                }
            }),
            ProduceAsync(async () =>
            {
                while (true)
                {
                    await Task.Delay(interval, stop.Token);
                    foreach (var change in await refresh(stop.Token))
                    {
                        await channel.Writer.WriteAsync(change, stop.Token);
                    }
                }
            }));
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await channel.Reader.WaitToReadAsync(cancellationToken);
                }
                catch (ChannelClosedException ex) when (ex.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                    throw;
                }

                if (!more)
                {
                    yield break;
                }

                while (channel.Reader.TryRead(out var change))
                {
                    yield return change;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await producers;
        }
    }
}
