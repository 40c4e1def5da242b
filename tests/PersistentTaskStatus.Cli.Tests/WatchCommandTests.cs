using System.Diagnostics;
using System.Text.Json;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Cli.Tests;

public sealed class WatchCommandTests(MongoFixture fixture) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly CliTestContext context = new(fixture, typeof(WatchCommandTests));

    public void Dispose() => context.Dispose();

    private static CancellationToken Token => CliTestContext.Token;

    /// <summary>Starts a watch, lets it see the first state, then makes the changes.</summary>
    private async Task<CliResult> WatchWhileAsync(Func<Task> changes, params string[] args)
    {
        var watch = context.RunAsync(["watch", .. args]);
        await Task.Delay(500, Token);
        Assert.False(watch.IsCompleted, watch.IsCompleted ? (await watch).ToString() : "");
        await changes();
        return await watch.WaitAsync(Patience, Token);
    }

    [Fact]
    public async Task Follows_a_run_until_it_completes_then_exits_0()
    {
        var container = await context.ContainerAsync("run", TaskRunStatus.Pending, TaskRunStatus.Pending);

        var result = await WatchWhileAsync(
            async () =>
            {
                await container.UpdateProgressAsync("t0", 50, "half", Token);
                await container.UpdateTaskAsync("t0", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
                await container.UpdateTaskAsync("t1", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
            },
            "run");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var lines = result.Out.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^\d\d:\d\d:\d\dZ  run: pending, 0\.0%, 0/2 tasks done, 0 failed, 0 running$", lines[0]);
        Assert.Matches(@"^\d\d:\d\d:\d\dZ    t0: pending$", lines[1]);
        Assert.Contains(lines, l => l.EndsWith("run: complete, 100.0%, 2/2 tasks done, 0 failed, 0 running", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("    t1: completed", StringComparison.Ordinal));
        Assert.Equal("run completed: 2/2 tasks.", lines[^1]);
    }

    [Fact]
    public async Task A_run_that_fails_exits_1_and_names_the_task_to_reset()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("run", Token);
        await container.AddTaskAsync("download", new TaskOptions { MaxRetries = 0 }, Token);
        await container.AddTaskAsync("import", new TaskOptions { DependsOn = ["download"] }, Token);

        var result = await WatchWhileAsync(
            async () =>
            {
                await using var lease = await container.TryLeaseNextTaskAsync("worker-1", TimeSpan.FromMinutes(1), Token);
                await lease!.FailAsync(new IOException("disk full"), Token);
            },
            "run");

        Assert.True(result.ExitCode == ExitCodes.RunFailed, result.ToString());
        var text = result.Out.ReplaceLineEndings("\n");
        Assert.Contains("    download: FAILED: IOException: disk full\n", text);
        Assert.EndsWith(
            "run FAILED: 2 of 2 tasks failed for good.\n  download: IOException: disk full\n    once its cause is fixed: pts reset 'run' 'download'\n",
            text);
    }

    [Fact]
    public async Task Json_writes_a_container_document_per_change()
    {
        var container = await context.ContainerAsync("run", TaskRunStatus.Pending);

        var result = await WatchWhileAsync(
            async () =>
            {
                await container.UpdateProgressAsync("t0", 60, "going", Token);
                await Task.Delay(400, Token);
                await container.UpdateTaskAsync("t0", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
            },
            "run", "--json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var documents = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(documents.Count >= 3, result.Out);
        Assert.All(documents, d => Assert.Equal("run", d.GetProperty("name").GetString()));
        Assert.Equal("pending", documents[0].GetProperty("state").GetString());
        Assert.Contains(documents, d => d.GetProperty("tasks")[0].GetProperty("statusText").GetString() == "going");
        Assert.Equal("complete", documents[^1].GetProperty("state").GetString());
        Assert.Equal(documents.Count, documents.Select(d => d.GetRawText()).Distinct().Count());
    }

    [Fact]
    public async Task A_finished_run_returns_at_once_with_its_outcome()
    {
        await context.ContainerAsync("done", TaskRunStatus.Completed);
        await context.FailedRunAsync("failed");

        var done = await context.RunAsync("watch", "done");
        var failed = await context.RunAsync("watch", "failed", "--json");

        Assert.Equal(ExitCodes.Ok, done.ExitCode);
        Assert.EndsWith("done completed: 1/1 tasks.\n", done.Out.ReplaceLineEndings("\n"));
        Assert.Equal(ExitCodes.RunFailed, failed.ExitCode);
        Assert.Equal("failed", JsonDocument.Parse(failed.Out).RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_container_deleted_while_watched_is_not_found()
    {
        await context.ContainerAsync("run", TaskRunStatus.Pending);

        var result = await WatchWhileAsync(() => context.Client.DeleteTaskContainerAsync("run", Token), "run");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Equal("error: Task container 'run' was deleted while it was watched.\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_missing_container_is_not_found_at_once()
    {
        var result = await context.RunAsync("watch", "nope");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Equal("error: Task container 'nope' does not exist.\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_prefix_follows_every_incomplete_container_under_it()
    {
        var a = await context.ContainerAsync("job:a", TaskRunStatus.Pending);
        var b = await context.ContainerAsync("job:b", TaskRunStatus.Pending);
        await context.ContainerAsync("job:old", TaskRunStatus.Completed);
        await context.ContainerAsync("other", TaskRunStatus.Pending);

        var result = await WatchWhileAsync(
            async () =>
            {
                await a.UpdateTaskAsync("t0", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
                await b.UpdateProgressAsync("t0", 30, cancellationToken: Token);
                await b.UpdateTaskAsync("t0", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
            },
            "--prefix", "job:");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var text = result.Out.ReplaceLineEndings("\n");
        Assert.Contains("  job:a: pending, 0.0%, 0/1 tasks done", text);
        Assert.Contains("  job:b: complete, 100.0%, 1/1 tasks done", text);
        Assert.DoesNotContain("job:old", text);
        Assert.DoesNotContain("other", text);
        Assert.EndsWith("All 2 containers completed.\n", text);
    }

    [Fact]
    public async Task A_prefix_exits_1_when_a_container_failed()
    {
        var a = await context.ContainerAsync("job:a", TaskRunStatus.Pending);
        var (b, _) = await context.Client.GetOrCreateTaskContainerAsync("job:b", Token);
        await b.AddTaskAsync("download", new TaskOptions { MaxRetries = 0 }, Token);

        var result = await WatchWhileAsync(
            async () =>
            {
                await a.UpdateTaskAsync("t0", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
                await using var lease = await b.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token);
                await lease!.FailAsync(new InvalidOperationException("bad row"), Token);
            },
            "--prefix", "job:", "--json");

        Assert.True(result.ExitCode == ExitCodes.RunFailed, result.ToString());
        var last = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Last(d => d.GetProperty("name").GetString() == "job:b");
        Assert.Equal("failed", last.GetProperty("state").GetString());
        Assert.False(last.TryGetProperty("tasks", out _));
    }

    [Fact]
    public async Task A_prefix_with_nothing_incomplete_returns_at_once()
    {
        await context.ContainerAsync("job:old", TaskRunStatus.Completed);

        var result = await context.RunAsync("watch", "--prefix", "job:");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal("No incomplete task container's name starts with 'job:'.\n", result.Out.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("run --prefix job:")]
    public async Task A_name_or_a_prefix_is_required(string args)
    {
        var result = await context.RunAsync(["watch", .. args.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("watch takes a container name or --prefix <text>", result.Error);
    }

    [Fact]
    public async Task Cancelling_stops_the_watch_with_130()
    {
        await context.ContainerAsync("run", TaskRunStatus.Pending);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(700));
        var clock = Stopwatch.StartNew();

        var result = await CliTestContext.RunRawAsync(
            ["watch", "run", "--connection", context.ConnectionString, "--database", context.DatabaseName], cancel: cancel);

        Assert.Equal(ExitCodes.Interrupted, result.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
    }
}
