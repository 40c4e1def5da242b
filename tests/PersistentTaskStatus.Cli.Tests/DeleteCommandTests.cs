using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Cli.Tests;

public sealed class DeleteCommandTests(MongoFixture fixture) : IDisposable
{
    private readonly CliTestContext context = new(fixture, typeof(DeleteCommandTests));

    public void Dispose() => context.Dispose();

    private Task<CliResult> RunAsync(string? input, bool terminal, params string[] args) =>
        CliTestContext.RunRawAsync([.. args, "--connection", context.ConnectionString, "--database", context.DatabaseName], input, terminal);

    private async Task<bool> ExistsAsync(string name) => await context.Client.GetTaskContainerAsync(name, CliTestContext.Token) is not null;

    [Fact]
    public async Task Redirected_input_deletes_without_asking()
    {
        await context.ContainerAsync("run", TaskRunStatus.Completed);

        var result = await RunAsync(input: null, terminal: false, "delete", "run");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("Deleted task container 'run'.\n", result.Out.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Error);
        Assert.False(await ExistsAsync("run"));
    }

    [Fact]
    public async Task A_terminal_is_asked_and_yes_deletes()
    {
        await context.ContainerAsync("run", TaskRunStatus.Completed, TaskRunStatus.Pending);

        var result = await RunAsync("y\n", terminal: true, "delete", "run", "--json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("Delete task container 'run' (pending, 50.0%, 2 tasks)? This cannot be undone. [y/N] \n", result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("run", result.Json.GetProperty("container").GetString());
        Assert.True(result.Json.GetProperty("deleted").GetBoolean());
        Assert.False(await ExistsAsync("run"));
    }

    [Theory]
    [InlineData("n\n")]
    [InlineData("\n")]
    [InlineData("")]
    public async Task Any_other_answer_keeps_the_container(string answer)
    {
        await context.ContainerAsync("run", TaskRunStatus.Completed);

        var result = await RunAsync(answer, terminal: true, "delete", "run");

        Assert.Equal(ExitCodes.Declined, result.ExitCode);
        Assert.EndsWith("error: not deleted: task container 'run' is unchanged.\n", result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Out);
        Assert.True(await ExistsAsync("run"));
    }

    [Fact]
    public async Task Yes_skips_the_question_on_a_terminal()
    {
        await context.ContainerAsync("run");

        var result = await RunAsync(input: null, terminal: true, "delete", "run", "--yes");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.False(await ExistsAsync("run"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_missing_container_is_not_found(bool terminal)
    {
        var result = await RunAsync("y\n", terminal, "delete", "nope");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Equal("error: Task container 'nope' does not exist.\n", result.Error.ReplaceLineEndings("\n"));
    }
}
