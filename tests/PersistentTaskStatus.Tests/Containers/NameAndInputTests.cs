using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Containers;

/// <summary>Names that look like operators or paths round-trip exactly; bad input is refused before anything is written.</summary>
public sealed class NameAndInputTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(NameAndInputTests));

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    public static TheoryData<string> OddNames => new()
    {
        "a.b.c",
        "$where",
        "tasks.0",
        "$[t]",
        "name with spaces",
        "Größe-日本語-🚀",
        "{ \"$gt\": \"\" }",
        "$$NOW",
        "$literal",
    };

    [Theory]
    [MemberData(nameof(OddNames))]
    public async Task Names_that_look_like_operators_or_paths_are_stored_and_read_back_exactly(string name)
    {
        var (container, created) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        await container.AddTaskAsync(name, new TaskOptions { StatusText = name }, Token);
        await container.UpdateProgressAsync(name, 12.5, name, Token);

        var read = await context.Client.GetTaskContainerAsync(name, Token);

        Assert.True(created);
        Assert.Equal(name, read!.Name);
        var task = Assert.Single(read.Tasks);
        Assert.Equal(name, task.Name);
        Assert.Equal(name, task.StatusText);
        Assert.Equal(12.5, task.PercentageComplete);
        var stored = (await context.StoredAsync(name))!;
        Assert.Equal(name, stored["tasks"][0]["name"].AsString);
        Assert.Equal(1, await context.Raw.CountDocumentsAsync(new BsonDocument("name", name), cancellationToken: Token));
    }

    public static TheoryData<string?, Type> BadNames => new()
    {
        { null, typeof(ArgumentNullException) },
        { "", typeof(ArgumentException) },
        { "   ", typeof(ArgumentException) },
        { new string('x', 257), typeof(ArgumentException) },
        { "nul\0inside", typeof(ArgumentException) },
    };

    [Fact]
    public async Task A_name_with_an_unpaired_surrogate_is_refused_because_it_has_no_UTF8_form()
    {
        // Built here rather than in theory data, which test runners may re-encode.
        var name = "lone" + (char)0xD800 + "surrogate";
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("utf-run", Token);
        var before = await context.DumpAsync();

        var onContainer = await Assert.ThrowsAsync<ArgumentException>(() => context.Client.GetOrCreateTaskContainerAsync(name, Token));
        var onTask = await Assert.ThrowsAsync<ArgumentException>(() => container.AddTaskAsync(name, cancellationToken: Token));

        Assert.Contains("surrogate", onContainer.Message, StringComparison.Ordinal);
        Assert.Contains("'utf-run'", onTask.Message, StringComparison.Ordinal);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task A_bad_container_name_is_refused_before_anything_is_written(string? name, Type expected)
    {
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => context.Client.GetOrCreateTaskContainerAsync(name!, Token));

        Assert.IsType(expected, error);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task A_bad_task_name_is_refused_naming_the_container_and_nothing_is_written(string? name, Type expected)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("named-run", Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => container.AddTaskAsync(name!, cancellationToken: Token));

        Assert.IsType(expected, error);
        Assert.Contains("'named-run'", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-1)]
    [InlineData(100.0001)]
    public async Task A_percentage_outside_0_to_100_is_refused_naming_container_and_task(double percentage)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("pct-run", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => container.UpdateProgressAsync("t", percentage, cancellationToken: Token));

        Assert.Contains("'t'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'pct-run'", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await context.DumpAsync());
    }

    public static TheoryData<string, TaskOptions> BadOptions => new()
    {
        { "negative retries", new TaskOptions { MaxRetries = -1 } },
        { "negative delay", new TaskOptions { RetryDelay = TimeSpan.FromSeconds(-1) } },
        { "negative weight", new TaskOptions { Weight = -0.5 } },
        { "NaN weight", new TaskOptions { Weight = double.NaN } },
        { "self dependency", new TaskOptions { DependsOn = ["t"] } },
        { "repeated dependency", new TaskOptions { DependsOn = ["a", "a"] } },
        { "scalar task data", new TaskOptions { TaskData = 42 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Bad_task_options_are_refused_before_anything_is_written(string what, TaskOptions options)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("opt-run", Token);
        await container.AddTaskAsync("a", cancellationToken: Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => container.AddTaskAsync("t", options, Token));

        Assert.True(error.Message.Contains("'opt-run'", StringComparison.Ordinal), $"{what}: {error.Message}");
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task Task_data_over_16_MB_is_refused_before_it_is_sent()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("big-run", Token);
        var before = await context.DumpAsync();
        context.ClearCommands();

        var error = await Assert.ThrowsAsync<TaskContainerTooLargeException>(() =>
            container.AddTaskAsync("huge", new TaskOptions { TaskData = new BsonDocument("blob", new BsonBinaryData(new byte[17 * 1024 * 1024])) }, Token));

        Assert.Contains("16 MB", error.Message, StringComparison.Ordinal);
        Assert.Empty(context.Commands);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task A_container_that_would_pass_16_MB_fails_with_a_message_that_says_so_and_keeps_its_state()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("growing-run", Token);
        var chunk = new BsonDocument("blob", new BsonBinaryData(new byte[5 * 1024 * 1024]));
        await container.AddTaskAsync("part-1", new TaskOptions { TaskData = chunk }, Token);
        await container.AddTaskAsync("part-2", new TaskOptions { TaskData = chunk }, Token);
        await container.AddTaskAsync("part-3", new TaskOptions { TaskData = chunk }, Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<TaskContainerTooLargeException>(() =>
            container.AddTaskAsync("part-4", new TaskOptions { TaskData = chunk }, Token));

        Assert.Equal("growing-run", error.ContainerName);
        Assert.Equal("part-4", error.TaskName);
        Assert.Contains("16 MB", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task UpdateTask_with_no_change_is_refused()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("empty-change", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => container.UpdateTaskAsync("t", new TaskChanges(), Token));

        Assert.Contains("change nothing", error.Message, StringComparison.Ordinal);
    }
}
