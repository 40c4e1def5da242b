using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Containers;

public sealed class ContainerLifecycleTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(ContainerLifecycleTests));

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    [Fact]
    public async Task GetOrCreate_creates_an_empty_complete_container_and_stores_it()
    {
        var (container, created) = await context.Client.GetOrCreateTaskContainerAsync("epf-import:2026-11-28", Token);

        Assert.True(created);
        Assert.Equal("epf-import:2026-11-28", container.Name);
        Assert.True(container.IsComplete);
        Assert.False(container.HasFailed);
        Assert.Equal(100, container.PercentageComplete);
        Assert.Empty(container.Tasks);
        var stored = await context.StoredAsync("epf-import:2026-11-28");
        Assert.NotNull(stored);
        Assert.Equal(new BsonArray(), stored["tasks"]);
        Assert.True(stored["isComplete"].AsBoolean);
        Assert.False(stored["hasFailed"].AsBoolean);
        Assert.Equal(0, stored["taskCount"].ToInt32());
        Assert.Equal(DateTimeKind.Utc, container.CreatedAt.Kind);
        Assert.Equal(stored["createdAt"].ToUniversalTime(), container.CreatedAt);
    }

    [Fact]
    public async Task GetOrCreate_of_an_existing_container_returns_it_unchanged_and_says_it_did_not_create_it()
    {
        var (first, _) = await context.Client.GetOrCreateTaskContainerAsync("run-a", Token);
        await first.AddTaskAsync("download", cancellationToken: Token);
        var before = await context.DumpAsync();

        var (second, created) = await context.Client.GetOrCreateTaskContainerAsync("run-a", Token);

        Assert.False(created);
        Assert.Equal(["download"], second.Tasks.Select(t => t.Name));
        Assert.Equal(before, await context.DumpAsync());
    }

    [Fact]
    public async Task Get_returns_null_for_a_missing_container_and_the_stored_state_for_an_existing_one()
    {
        var (created, _) = await context.Client.GetOrCreateTaskContainerAsync("run-b", Token);
        await created.AddTaskAsync("a", cancellationToken: Token);
        await created.AddTaskAsync("b", cancellationToken: Token);

        var missing = await context.Client.GetTaskContainerAsync("nope", Token);
        var found = await context.Client.GetTaskContainerAsync("run-b", Token);

        Assert.Null(missing);
        Assert.NotNull(found);
        Assert.Equal(["a", "b"], found.Tasks.Select(t => t.Name));
        Assert.Equal(2, found.TaskCount);
        Assert.False(found.IsComplete);
    }

    [Fact]
    public async Task Delete_removes_the_container_and_deleting_a_missing_one_is_not_an_error()
    {
        await context.Client.GetOrCreateTaskContainerAsync("run-c", Token);

        var existed = await context.Client.DeleteTaskContainerAsync("run-c", Token);
        var existedAgain = await context.Client.DeleteTaskContainerAsync("run-c", Token);

        Assert.True(existed);
        Assert.False(existedAgain);
        Assert.Null(await context.StoredAsync("run-c"));
    }

    [Fact]
    public async Task Calls_on_a_deleted_container_throw_a_not_found_error_naming_container_and_task()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("run-d", Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        await context.Client.DeleteTaskContainerAsync("run-d", Token);

        var onAdd = await Assert.ThrowsAsync<TaskContainerNotFoundException>(() => container.AddTaskAsync("u", cancellationToken: Token));
        var onProgress = await Assert.ThrowsAsync<TaskContainerNotFoundException>(() => container.UpdateProgressAsync("t", 10, cancellationToken: Token));
        var onRefresh = await Assert.ThrowsAsync<TaskContainerNotFoundException>(() => container.RefreshAsync(Token));

        Assert.Equal("run-d", onAdd.ContainerName);
        Assert.Equal("u", onAdd.TaskName);
        Assert.Contains("'run-d'", onProgress.Message, StringComparison.Ordinal);
        Assert.Contains("'t'", onProgress.Message, StringComparison.Ordinal);
        Assert.Equal("run-d", onRefresh.ContainerName);
        Assert.Null(await context.StoredAsync("run-d"));
    }

    [Fact]
    public async Task The_unique_name_index_is_created_once_and_creating_it_again_is_harmless()
    {
        await context.Client.EnsureIndexesAsync(Token);
        await context.Client.EnsureIndexesAsync(Token);
        await context.Client.GetOrCreateTaskContainerAsync("x", Token);
        var sentByFirstClient = context.Commands.Count(c => c.Name == "createIndexes");
        using var second = new TaskStatusClient(context.Database, context.Options);
        await second.EnsureIndexesAsync(Token);

        var indexes = await (await context.Raw.Indexes.ListAsync(Token)).ToListAsync(Token);

        var unique = Assert.Single(indexes, i => i["name"] == "name_unique");
        Assert.Equal(new BsonDocument("name", 1), unique["key"]);
        Assert.True(unique["unique"].AsBoolean);
        Assert.Equal(1, sentByFirstClient);
        Assert.Equal(
            ["_id_", "expiresAt_ttl", "hasFailed_updatedAt", "isComplete_updatedAt", "name_unique", "tasks_status_progressChangedAt", "updatedAt_newest_first"],
            indexes.Select(i => i["name"].AsString).Order());
        Assert.Equal(0, indexes.Single(i => i["name"] == "expiresAt_ttl")["expireAfterSeconds"].ToInt32());
    }

    [Fact]
    public async Task Many_concurrent_callers_create_one_container_and_exactly_one_is_told_it_created_it()
    {
        await context.Client.EnsureIndexesAsync(Token);
        var mongoClients = Enumerable.Range(0, 12).Select(_ => new MongoClient(fixture.CreateClientSettings())).ToList();
        var clients = mongoClients
            .Select(m => new TaskStatusClient(m.GetDatabase(context.Database.DatabaseNamespace.DatabaseName)))
            .ToList();

        var results = await Task.WhenAll(clients.SelectMany(c => Enumerable.Range(0, 3).Select(_ => c.GetOrCreateTaskContainerAsync("raced", Token))));

        Assert.Equal(1, results.Count(r => r.Created));
        Assert.Equal(1, await context.Raw.CountDocumentsAsync(new BsonDocument("name", "raced"), cancellationToken: Token));
        foreach (var mongoClient in mongoClients)
        {
            mongoClient.Dispose();
        }
    }
}
