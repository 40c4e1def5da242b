using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Cli.Tests;

public sealed class ListCommandTests(MongoFixture fixture) : IDisposable
{
    private readonly CliTestContext context = new(fixture, typeof(ListCommandTests));

    public void Dispose() => context.Dispose();

    private async Task ThreeRunsAsync()
    {
        await context.ContainerAsync("import:1", TaskRunStatus.Completed, TaskRunStatus.Completed);
        await context.FailedRunAsync("import:2");
        await context.ContainerAsync("import:3", TaskRunStatus.Completed, TaskRunStatus.Running, TaskRunStatus.Pending);
        await context.ContainerAsync("other:1", TaskRunStatus.Pending);
    }

    [Fact]
    public async Task Lists_every_container_newest_first_as_a_table()
    {
        await ThreeRunsAsync();

        var result = await context.RunAsync("list");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var lines = result.Lines;
        Assert.Matches(@"^NAME\s+STATE\s+PROGRESS\s+TASKS\s+FAILED\s+RUNNING\s+STALLED\s+UPDATED", lines[0]);
        Assert.Equal(["other:1", "import:3", "import:2", "import:1"], lines[1..].Select(l => l.Split(' ')[0]));
        result.AssertLine(@"^other:1\s+pending\s+0\.0%\s+0/1\s+0\s+0\s+0\s");
        result.AssertLine(@"^import:3\s+running\s+50\.0%\s+1/3\s+0\s+1\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(\d+s ago\)$");
        result.AssertLine(@"^import:2\s+failed\s+100\.0%\s+1/3\s+2\s+0\s+0\s");
        result.AssertLine(@"^import:1\s+complete\s+100\.0%\s+2/2\s+0\s+0\s+0\s");
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Json_has_the_documented_camel_case_shape()
    {
        await ThreeRunsAsync();

        var result = await context.RunAsync("list", "--json", "--prefix", "import:", "--state", "failed");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var json = result.Json;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("continuationToken").ValueKind);
        var container = Assert.Single(json.GetProperty("containers").EnumerateArray());
        Assert.Equal(
            ["name", "state", "percentageComplete", "isComplete", "hasFailed", "taskCount", "completedCount", "failedCount", "runningCount", "stalledCount", "createdAt", "updatedAt", "expiresAt"],
            container.EnumerateObject().Select(p => p.Name));
        Assert.Equal("import:2", container.GetProperty("name").GetString());
        Assert.Equal("failed", container.GetProperty("state").GetString());
        Assert.Equal(100, container.GetProperty("percentageComplete").GetDouble());
        Assert.True(container.GetProperty("hasFailed").GetBoolean());
        Assert.Equal(3, container.GetProperty("taskCount").GetInt32());
        Assert.Equal(2, container.GetProperty("failedCount").GetInt32());
        Assert.EndsWith("Z", container.GetProperty("updatedAt").GetString());
    }

    [Theory]
    [InlineData("incomplete", new[] { "other:1", "import:3" })]
    [InlineData("complete", new[] { "import:1" })]
    [InlineData("failed", new[] { "import:2" })]
    [InlineData("any", new[] { "other:1", "import:3", "import:2", "import:1" })]
    public async Task State_filters_select_as_the_query_API_does(string state, string[] expected)
    {
        await ThreeRunsAsync();

        var result = await context.RunAsync("list", "--json", "--state", state);

        Assert.Equal(expected, result.Json.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Stalled_follows_stall_after()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("slow", CliTestContext.Token);
        await container.AddTaskAsync("t0", cancellationToken: CliTestContext.Token);
        await container.UpdateProgressAsync("t0", 10, "stuck", CliTestContext.Token);
        await Task.Delay(300, CliTestContext.Token);

        var stalled = await context.RunAsync("list", "--json", "--state", "stalled", "--stall-after", "200ms");
        var notYet = await context.RunAsync("list", "--json", "--state", "stalled");

        var item = Assert.Single(stalled.Json.GetProperty("containers").EnumerateArray());
        Assert.Equal("stalled", item.GetProperty("state").GetString());
        Assert.Equal(1, item.GetProperty("stalledCount").GetInt32());
        Assert.Empty(notYet.Json.GetProperty("containers").EnumerateArray());
    }

    [Fact]
    public async Task Since_takes_a_duration_or_an_ISO_date()
    {
        await context.ContainerAsync("old");
        await Task.Delay(1500, CliTestContext.Token);
        await context.ContainerAsync("new");

        var recent = await context.RunAsync("list", "--json", "--since", "1s");
        var future = await context.RunAsync("list", "--json", "--since", DateTime.UtcNow.AddHours(1).ToString("O"));
        var past = await context.RunAsync("list", "--json", "--since", "2020-01-01");

        Assert.Equal(["new"], recent.Json.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Empty(future.Json.GetProperty("containers").EnumerateArray());
        Assert.Equal(2, past.Json.GetProperty("containers").GetArrayLength());
    }

    [Fact]
    public async Task Limit_pages_and_continue_return_every_container_once()
    {
        for (var i = 0; i < 7; i++)
        {
            await context.ContainerAsync($"c{i}");
        }

        var first = await context.RunAsync("list", "--json", "--limit", "3", "--page-size", "2");
        var token = first.Json.GetProperty("continuationToken").GetString();
        var rest = await context.RunAsync("list", "--json", "--all", "--page-size", "2", "--continue", token!);
        var all = await context.RunAsync("list", "--json", "--all", "--page-size", "3");
        var text = await context.RunAsync("list", "--limit", "3");

        Assert.Equal(["c6", "c5", "c4"], first.Json.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.NotNull(token);
        Assert.Equal(["c3", "c2", "c1", "c0"], rest.Json.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rest.Json.GetProperty("continuationToken").ValueKind);
        Assert.Equal(7, all.Json.GetProperty("containers").GetArrayLength());
        Assert.Contains("More containers match: add --continue ", text.Out);
    }

    [Fact]
    public async Task Nothing_matching_is_said_and_is_not_an_error()
    {
        var text = await context.RunAsync("list", "--prefix", "none:");
        var json = await context.RunAsync("list", "--prefix", "none:", "--json");

        Assert.Equal(ExitCodes.Ok, text.ExitCode);
        Assert.Equal("No task containers match.\n", text.Out.ReplaceLineEndings("\n"));
        Assert.Equal(0, json.Json.GetProperty("containers").GetArrayLength());
    }

    [Theory]
    [InlineData("--since", "yesterday")]
    [InlineData("--limit", "0")]
    [InlineData("--page-size", "1001")]
    [InlineData("--state", "done")]
    [InlineData("--continue", "not-a-token")]
    public async Task Bad_values_are_usage_errors(string option, string value)
    {
        var result = await context.RunAsync("list", option, value);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.StartsWith("error: ", result.Error);
        Assert.Equal("", result.Out);
    }
}
