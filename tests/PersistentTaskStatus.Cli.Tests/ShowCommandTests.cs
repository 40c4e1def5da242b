using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Cli.Tests;

public sealed class ShowCommandTests(MongoFixture fixture) : IDisposable
{
    private readonly CliTestContext context = new(fixture, typeof(ShowCommandTests));

    public void Dispose() => context.Dispose();

    private async Task<TaskContainer> RunningRunAsync()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("feed-import:2026-11-28T16:00Z", CliTestContext.Token);
        await container.AddTaskAsync("check-feed", cancellationToken: CliTestContext.Token);
        await container.AddTaskAsync("download", new TaskOptions { DependsOn = ["check-feed"], MaxRetries = 2 }, CliTestContext.Token);
        await container.UpdateTaskAsync("check-feed", new TaskChanges { Status = TaskRunStatus.Completed }, CliTestContext.Token);
        var lease = await container.TryLeaseNextTaskAsync("worker-3", TimeSpan.FromMinutes(5), CliTestContext.Token);
        Assert.NotNull(lease);
        await lease.ReportProgressAsync(42.5, "412 of 970 MB", cancellationToken: CliTestContext.Token);
        return container;
    }

    [Fact]
    public async Task Shows_each_task_with_state_progress_status_attempts_and_lease()
    {
        await RunningRunAsync();

        var result = await context.RunAsync("show", "feed-import:2026-11-28T16:00Z");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var lines = result.Lines;
        Assert.StartsWith("feed-import:2026-11-28T16:00Z: running, 71.2%, 1/2 tasks done, 0 failed, 1 running, 0 stalled; updated ", lines[0]);
        Assert.Matches(@"^TASK\s+STATE\s+PROGRESS\s+STATUS\s+ATTEMPTS\s+LEASE\s+STALLED\s+LAST ERROR", lines[1]);
        Assert.Matches(@"^check-feed\s+completed\s+100\.0%\s+0/4\s*$", lines[2]);
        Assert.Matches(@"^download\s+running\s+42\.5%\s+412 of 970 MB\s+1/3\s+worker-3 till \d\d:\d\d:\d\dZ \(in \d+m\)\s*$", lines[3]);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task A_failed_run_shows_its_errors()
    {
        await context.FailedRunAsync("import:failed");

        var result = await context.RunAsync("show", "import:failed");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.StartsWith("import:failed: failed, 100.0%, 1/3 tasks done, 2 failed, 0 running, 0 stalled; updated ", result.Lines[0]);
        result.AssertLine(@"^report\s+completed\s+100\.0%\s+0/4\s*$");
        result.AssertLine(@"^download\s+failed\s+0\.0%\s+1/1\s+IOException: connection reset at 412 MB$");
        result.AssertLine(@"^import\s+failed\s+0\.0%\s+0/4\s+dependency 'download' failed$");
    }

    [Fact]
    public async Task Json_holds_every_task_field()
    {
        await RunningRunAsync();

        var result = await context.RunAsync("show", "feed-import:2026-11-28T16:00Z", "--json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var json = result.Json;
        Assert.Equal("feed-import:2026-11-28T16:00Z", json.GetProperty("name").GetString());
        Assert.Equal("running", json.GetProperty("state").GetString());
        var tasks = json.GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(["check-feed", "download"], tasks.Select(t => t.GetProperty("name").GetString()));
        var download = tasks[1];
        Assert.Equal(
            ["name", "status", "percentageComplete", "statusText", "invokeCount", "maxRetries", "maxAttempts", "leaseOwner", "leasedTill", "isStalled", "nextAttemptAt", "lastError", "dependsOn", "createdAt", "updatedAt", "taskEndedAt"],
            download.EnumerateObject().Select(p => p.Name));
        Assert.Equal("running", download.GetProperty("status").GetString());
        Assert.Equal(42.5, download.GetProperty("percentageComplete").GetDouble());
        Assert.Equal("412 of 970 MB", download.GetProperty("statusText").GetString());
        Assert.Equal(1, download.GetProperty("invokeCount").GetInt32());
        Assert.Equal(3, download.GetProperty("maxAttempts").GetInt32());
        Assert.Equal("worker-3", download.GetProperty("leaseOwner").GetString());
        Assert.EndsWith("Z", download.GetProperty("leasedTill").GetString());
        Assert.Equal(["check-feed"], download.GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, download.GetProperty("lastError").ValueKind);
    }

    [Fact]
    public async Task Json_of_a_failed_task_names_its_error()
    {
        await context.FailedRunAsync("import:failed");

        var result = await context.RunAsync("show", "import:failed", "--json");

        var download = result.Json.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "download");
        Assert.Equal("failed", download.GetProperty("status").GetString());
        Assert.Equal("IOException", download.GetProperty("lastError").GetProperty("type").GetString()!.Split('.')[^1]);
        Assert.Equal("connection reset at 412 MB", download.GetProperty("lastError").GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_missing_container_is_exit_3_with_its_name()
    {
        var text = await context.RunAsync("show", "no-such-run");
        var json = await context.RunAsync("show", "no-such-run", "--json");

        Assert.Equal(ExitCodes.NotFound, text.ExitCode);
        Assert.Equal("error: Task container 'no-such-run' does not exist.\n", text.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", text.Out);
        Assert.Equal(ExitCodes.NotFound, json.ExitCode);
        Assert.Equal("", json.Out);
    }

    [Fact]
    public async Task An_empty_container_says_so()
    {
        await context.ContainerAsync("empty");

        var result = await context.RunAsync("show", "empty");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("empty: complete, 100.0%, 0/0 tasks done", result.Out);
        Assert.Contains("No tasks.", result.Out);
    }
}
