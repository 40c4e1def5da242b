using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Containers;

public sealed class TaskTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(TaskTests));

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    private async Task<TaskContainer> NewContainerAsync(string name = "run")
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        return container;
    }

    private sealed class ImportInput
    {
        public string Feed { get; set; } = "";

        public long Bytes { get; set; }

        public List<string> Files { get; set; } = [];
    }

    [Fact]
    public async Task AddTask_persists_every_field_with_its_default_at_once()
    {
        var container = await NewContainerAsync();

        var task = await container.AddTaskAsync("download", cancellationToken: Token);

        var stored = (await context.StoredAsync("run"))!["tasks"].AsBsonArray.Single().AsBsonDocument;
        Assert.Equal("download", stored["name"].AsString);
        Assert.Equal("pending", stored["status"].AsString);
        Assert.False(stored["isComplete"].AsBoolean);
        Assert.False(stored["hasFailed"].AsBoolean);
        Assert.Equal(0.0, stored["percentageComplete"].AsDouble);
        Assert.Equal(0, stored["invokeCount"].AsInt32);
        Assert.Equal(3, stored["maxRetries"].AsInt32);
        Assert.Equal(30_000L, stored["retryDelayMs"].AsInt64);
        Assert.Equal(1.0, stored["weight"].AsDouble);
        Assert.Equal(new BsonArray(), stored["dependsOn"]);
        Assert.Equal(BsonType.DateTime, stored["createdAt"].BsonType);
        Assert.Equal(TaskRunStatus.Pending, task.Status);
        Assert.Equal(3, task.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(30), task.RetryDelay);
        Assert.Equal(stored["createdAt"].ToUniversalTime(), task.CreatedAt);
        Assert.False(container.IsComplete);
        Assert.Equal(0, container.PercentageComplete);
        Assert.Equal(1, container.TaskCount);
    }

    [Fact]
    public async Task Tasks_keep_their_insertion_order()
    {
        var container = await NewContainerAsync();
        foreach (var name in new[] { "check-feed", "download-1", "download-2", "verify", "import" })
        {
            await container.AddTaskAsync(name, cancellationToken: Token);
        }

        var tasks = await container.GetTasksAsync(Token);

        Assert.Equal(["check-feed", "download-1", "download-2", "verify", "import"], tasks.Select(t => t.Name));
        var stored = (await context.StoredAsync("run"))!["tasks"].AsBsonArray.Select(t => t["name"].AsString);
        Assert.Equal(["check-feed", "download-1", "download-2", "verify", "import"], stored);
    }

    [Fact]
    public async Task Typed_task_data_round_trips_through_the_bson_serializer()
    {
        var container = await NewContainerAsync();
        var input = new ImportInput { Feed = "itunes-epf", Bytes = 5_000_000_000, Files = ["a.tbz", "b.tbz"] };

        await container.AddTaskAsync("import", new TaskOptions { TaskData = input }, Token);
        var read = await container.GetTaskAsync("import", Token);

        var data = read.GetTaskData<ImportInput>()!;
        Assert.Equal("itunes-epf", data.Feed);
        Assert.Equal(5_000_000_000, data.Bytes);
        Assert.Equal(["a.tbz", "b.tbz"], data.Files);
        var stored = (await context.StoredAsync("run"))!["tasks"][0]["taskData"].AsBsonDocument;
        Assert.Equal(5_000_000_000L, stored["Bytes"].AsInt64);
    }

    [Fact]
    public async Task Raw_bson_task_data_is_stored_as_it_is_even_with_operator_like_field_names()
    {
        var container = await NewContainerAsync();
        var data = new BsonDocument { { "$set", new BsonDocument("x", 1) }, { "a.b", "$c" } };

        var task = await container.AddTaskAsync("raw", new TaskOptions { TaskData = data }, Token);

        Assert.Equal(data, task.TaskData);
        Assert.Equal(data, (await context.StoredAsync("run"))!["tasks"][0]["taskData"]);
    }

    [Fact]
    public async Task A_duplicate_task_name_is_a_clear_error_and_writes_nothing()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("download", cancellationToken: Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<DuplicateTaskException>(() => container.AddTaskAsync("download", cancellationToken: Token));

        Assert.Equal("run", error.ContainerName);
        Assert.Equal("download", error.TaskName);
        Assert.Contains("'download'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'run'", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task A_dependency_on_no_earlier_task_is_a_clear_error_and_writes_nothing()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("download", cancellationToken: Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<TaskDependencyException>(() =>
            container.AddTaskAsync("import", new TaskOptions { DependsOn = ["download", "verify"] }, Token));

        Assert.Equal(["verify"], error.MissingDependencies);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task Dependencies_on_earlier_tasks_are_stored()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("download-1", cancellationToken: Token);
        await container.AddTaskAsync("download-2", cancellationToken: Token);

        var join = await container.AddTaskAsync("verify", new TaskOptions { DependsOn = ["download-1", "download-2"] }, Token);

        Assert.Equal(["download-1", "download-2"], join.DependsOn);
        Assert.Equal(new BsonArray { "download-1", "download-2" }, (await context.StoredAsync("run"))!["tasks"][2]["dependsOn"]);
    }

    [Fact]
    public async Task UpdateProgress_persists_the_percentage_and_text_and_marks_the_task_running()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("download", cancellationToken: Token);

        var task = await container.UpdateProgressAsync("download", 42.5, "412 of 970 MB", Token);

        var stored = (await context.StoredAsync("run"))!;
        Assert.Equal(42.5, stored["tasks"][0]["percentageComplete"].AsDouble);
        Assert.Equal("412 of 970 MB", stored["tasks"][0]["statusText"].AsString);
        Assert.Equal("running", stored["tasks"][0]["status"].AsString);
        Assert.Equal(42.5, stored["percentageComplete"].ToDouble());
        Assert.Equal(1, stored["runningCount"].ToInt32());
        Assert.Equal(TaskRunStatus.Running, task.Status);
        Assert.Equal(42.5, container.PercentageComplete);
        Assert.NotNull(task.ProgressChangedAt);
    }

    [Fact]
    public async Task The_container_percentage_is_the_weighted_mean_with_finished_tasks_counting_100()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("small", new TaskOptions { Weight = 1 }, Token);
        await container.AddTaskAsync("large", new TaskOptions { Weight = 3 }, Token);
        await container.AddTaskAsync("failed", new TaskOptions { Weight = 1 }, Token);

        await container.UpdateProgressAsync("large", 50, cancellationToken: Token);
        await container.UpdateTaskAsync("failed", new TaskChanges { Status = TaskRunStatus.Failed, Error = new TimeoutException("gave up") }, Token);

        // (1×0 + 3×50 + 1×100) / 5 = 50
        Assert.Equal(50, container.PercentageComplete, precision: 9);
        Assert.Equal(50, (await context.StoredAsync("run"))!["percentageComplete"].ToDouble(), precision: 9);
        Assert.True(container.HasFailed);
        Assert.False(container.IsComplete);
    }

    [Fact]
    public async Task Completing_every_task_completes_the_container_in_the_same_write()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("a", cancellationToken: Token);
        await container.AddTaskAsync("b", cancellationToken: Token);
        await container.UpdateTaskAsync("a", new TaskChanges { Status = TaskRunStatus.Completed }, Token);

        var b = await container.UpdateTaskAsync("b", new TaskChanges { Status = TaskRunStatus.Completed, StatusText = "done" }, Token);

        Assert.True(b.IsComplete);
        Assert.Equal(100, b.PercentageComplete);
        Assert.NotNull(b.TaskEndedAt);
        Assert.True(container.IsComplete);
        Assert.Equal(100, container.PercentageComplete);
        var stored = (await context.StoredAsync("run"))!;
        Assert.True(stored["isComplete"].AsBoolean);
        Assert.Equal(2, stored["completedCount"].ToInt32());
        Assert.Equal("completed", stored["tasks"][1]["status"].AsString);
    }

    [Fact]
    public async Task A_failed_task_is_complete_and_failed_and_records_its_error()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("import", cancellationToken: Token);

        var task = await container.UpdateTaskAsync(
            "import",
            new TaskChanges { Status = TaskRunStatus.Failed, Error = new InvalidDataException("bad row 7") },
            Token);

        Assert.True(task.IsComplete);
        Assert.True(task.HasFailed);
        Assert.Equal(TaskRunStatus.Failed, task.Status);
        Assert.Equal("System.IO.InvalidDataException", task.LastError!.Type);
        Assert.Equal("bad row 7", task.LastError.Message);
        var stored = (await context.StoredAsync("run"))!;
        Assert.True(stored["hasFailed"].AsBoolean);
        Assert.True(stored["isComplete"].AsBoolean);
        Assert.Equal("bad row 7", stored["tasks"][0]["lastError"]["message"].AsString);
    }

    [Fact]
    public async Task Progress_on_a_finished_task_is_refused_and_writes_nothing()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("a", cancellationToken: Token);
        await container.UpdateTaskAsync("a", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<TaskStateException>(() => container.UpdateProgressAsync("a", 10, cancellationToken: Token));

        Assert.Contains("completed", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task Progress_on_a_missing_task_throws_TaskNotFound_naming_both_and_writes_nothing()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("a", cancellationToken: Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<TaskNotFoundException>(() => container.UpdateProgressAsync("b", 10, cancellationToken: Token));

        Assert.Equal("run", error.ContainerName);
        Assert.Equal("b", error.TaskName);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task Processing_data_is_saved_and_read_back()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("download", cancellationToken: Token);

        await container.UpdateTaskAsync("download", new TaskChanges { ProcessingData = new BsonDocument("offset", 1_048_576L) }, Token);
        var task = await container.GetTaskAsync("download", Token);

        Assert.Equal(1_048_576L, task.ProcessingData!["offset"].AsInt64);
        Assert.Equal(1_048_576L, (await context.StoredAsync("run"))!["tasks"][0]["processingData"]["offset"].AsInt64);
    }

    [Fact]
    public async Task DeleteTask_removes_it_and_recomputes_the_summary()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("a", cancellationToken: Token);
        await container.AddTaskAsync("b", cancellationToken: Token);
        await container.UpdateTaskAsync("a", new TaskChanges { Status = TaskRunStatus.Completed }, Token);

        var deleted = await container.DeleteTaskAsync("b", Token);
        var deletedAgain = await container.DeleteTaskAsync("b", Token);

        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.True(container.IsComplete);
        Assert.Equal(["a"], container.Tasks.Select(t => t.Name));
        var stored = (await context.StoredAsync("run"))!;
        Assert.Single(stored["tasks"].AsBsonArray);
        Assert.True(stored["isComplete"].AsBoolean);
    }

    [Fact]
    public async Task A_task_others_depend_on_cannot_be_deleted()
    {
        var container = await NewContainerAsync();
        await container.AddTaskAsync("download", cancellationToken: Token);
        await container.AddTaskAsync("import", new TaskOptions { DependsOn = ["download"] }, Token);
        var before = await context.DumpAsync();

        var error = await Assert.ThrowsAsync<TaskStateException>(() => container.DeleteTaskAsync("download", Token));

        Assert.Contains("'import'", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task Concurrent_progress_updates_to_different_tasks_lose_nothing()
    {
        var container = await NewContainerAsync();
        const int taskCount = 8;
        for (var i = 0; i < taskCount; i++)
        {
            await container.AddTaskAsync($"part-{i}", cancellationToken: Token);
        }

        var mongoClients = Enumerable.Range(0, taskCount).Select(_ => new MongoClient(fixture.CreateClientSettings())).ToList();
        await Task.WhenAll(mongoClients.Select(async (mongoClient, i) =>
        {
            using var client = new TaskStatusClient(mongoClient.GetDatabase(context.Database.DatabaseNamespace.DatabaseName));
            var handle = (await client.GetTaskContainerAsync("run", Token))!;
            for (var step = 1; step <= 20; step++)
            {
                await handle.UpdateProgressAsync($"part-{i}", step * 5, $"step {step}", Token);
            }
        }));

        var stored = (await context.StoredAsync("run"))!;
        foreach (var task in stored["tasks"].AsBsonArray)
        {
            Assert.Equal(100.0, task["percentageComplete"].AsDouble);
            Assert.Equal("step 20", task["statusText"].AsString);
        }

        Assert.Equal(100.0, stored["percentageComplete"].ToDouble(), precision: 9);
        mongoClients.ForEach(c => c.Dispose());
    }
}
