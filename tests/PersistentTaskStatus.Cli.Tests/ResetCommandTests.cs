using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Cli.Tests;

public sealed class ResetCommandTests(MongoFixture fixture) : IDisposable
{
    private readonly CliTestContext context = new(fixture, typeof(ResetCommandTests));

    public void Dispose() => context.Dispose();

    [Fact]
    public async Task Resets_a_failed_task_and_the_tasks_that_failed_because_of_it()
    {
        await context.FailedRunAsync("run");

        var result = await context.RunAsync("reset", "run", "download");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal(
            "Reset task 'download' of 'run': pending, attempts 0/1.\nAlso reset, having failed because of it: 'import'.\n",
            result.Out.ReplaceLineEndings("\n"));
        var container = await context.Client.GetTaskContainerAsync("run", CliTestContext.Token);
        Assert.False(container!.HasFailed);
        Assert.All(container.Tasks.Where(t => t.Name != "report"), t => Assert.Equal(TaskRunStatus.Pending, t.Status));
    }

    [Fact]
    public async Task Json_names_the_task_and_what_else_was_reset()
    {
        await context.FailedRunAsync("run");

        var result = await context.RunAsync("reset", "run", "download", "--json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("run", result.Json.GetProperty("container").GetString());
        Assert.Equal("download", result.Json.GetProperty("task").GetProperty("name").GetString());
        Assert.Equal("pending", result.Json.GetProperty("task").GetProperty("status").GetString());
        Assert.Equal(0, result.Json.GetProperty("task").GetProperty("invokeCount").GetInt32());
        Assert.Equal(["import"], result.Json.GetProperty("alsoReset").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Resetting_a_task_that_has_not_failed_is_a_conflict()
    {
        await context.FailedRunAsync("run");

        var result = await context.RunAsync("reset", "run", "report");

        Assert.Equal(ExitCodes.Conflict, result.ExitCode);
        Assert.Equal("error: Task 'report' of task container 'run': it is completed, not failed; only a failed task can be reset.\n", result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task Resetting_a_task_that_failed_because_its_dependency_failed_is_a_conflict_naming_the_task_to_reset()
    {
        await context.FailedRunAsync("run");
        var before = await context.Client.GetTaskContainerAsync("run", CliTestContext.Token);

        var result = await context.RunAsync("reset", "run", "import");

        Assert.Equal(ExitCodes.Conflict, result.ExitCode);
        Assert.Equal(
            "error: Task 'import' of task container 'run': it failed because a task it depends on failed; reset 'download' instead (that also resets the tasks that failed because of it).\n",
            result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Out);
        var after = await context.Client.GetTaskContainerAsync("run", CliTestContext.Token);
        Assert.Equal(before!.UpdatedAt, after!.UpdatedAt);
        Assert.Equal(before.Tasks.Select(t => (t.Name, t.Status)), after.Tasks.Select(t => (t.Name, t.Status)));
        Assert.True(after.HasFailed);
    }

    [Fact]
    public async Task A_missing_task_or_container_is_not_found()
    {
        await context.FailedRunAsync("run");

        var task = await context.RunAsync("reset", "run", "nope");
        var container = await context.RunAsync("reset", "nope", "download");

        Assert.Equal(ExitCodes.NotFound, task.ExitCode);
        Assert.Equal("error: Task 'nope' does not exist in task container 'run'.\n", task.Error.ReplaceLineEndings("\n"));
        Assert.Equal(ExitCodes.NotFound, container.ExitCode);
        Assert.Equal("error: Task container 'nope' does not exist.\n", container.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Missing_arguments_are_a_usage_error()
    {
        var result = await context.RunAsync("reset", "run");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Run 'pts reset --help' for usage.", result.Error);
    }
}
