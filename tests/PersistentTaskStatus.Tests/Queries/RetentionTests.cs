using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Queries;

public sealed class RetentionTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(RetentionTests), o =>
    {
        o.CompletedRetention = TimeSpan.Zero;
        o.FailedRetention = TimeSpan.FromDays(30);
    });

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    [Fact]
    public async Task The_write_that_finishes_a_container_sets_its_expiry_and_the_TTL_index_removes_only_expired_ones()
    {
        var (done, _) = await context.Client.GetOrCreateTaskContainerAsync("done", Token);
        await done.AddTaskAsync("t", cancellationToken: Token);
        var (failed, _) = await context.Client.GetOrCreateTaskContainerAsync("failed", Token);
        await failed.AddTaskAsync("t", cancellationToken: Token);
        var (open, _) = await context.Client.GetOrCreateTaskContainerAsync("open", Token);
        await open.AddTaskAsync("t", cancellationToken: Token);
        await context.Client.GetOrCreateTaskContainerAsync("empty", Token);

        Assert.Equal(BsonNull.Value, (await context.StoredAsync("done"))!["expiresAt"]);
        var completed = await done.UpdateTaskAsync("t", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
        await failed.UpdateTaskAsync("t", new TaskChanges { Status = TaskRunStatus.Failed }, Token);

        var doneStored = (await context.StoredAsync("done"))!;
        var failedStored = (await context.StoredAsync("failed"))!;
        Assert.Equal(completed.TaskEndedAt, doneStored["expiresAt"].ToUniversalTime());
        Assert.Equal(doneStored["expiresAt"].ToUniversalTime(), done.ExpiresAt);
        Assert.Equal(TimeSpan.FromDays(30), failedStored["expiresAt"].ToUniversalTime() - failedStored["tasks"][0]["taskEndedAt"].ToUniversalTime());
        Assert.Equal(BsonNull.Value, (await context.StoredAsync("open"))!["expiresAt"]);
        var ttl = (await (await context.Raw.Indexes.ListAsync(Token)).ToListAsync(Token)).Single(i => i["name"] == "expiresAt_ttl");
        Assert.Equal(0, ttl["expireAfterSeconds"].ToInt32());

        if (fixture.TestServer is null)
        {
            Assert.Skip("Removing expired documents now needs the test server's sweep; MongoDB's TTL monitor runs every 60 s.");
        }

        fixture.TestServer.SweepExpiredDocuments();

        Assert.Null(await context.StoredAsync("done"));
        Assert.NotNull(await context.StoredAsync("failed"));
        Assert.NotNull(await context.StoredAsync("open"));
        Assert.NotNull(await context.StoredAsync("empty"));
    }

    [Fact]
    public async Task Reopening_a_finished_container_clears_its_expiry()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("reopened", Token);
        await container.AddTaskAsync("a", cancellationToken: Token);
        await container.UpdateTaskAsync("a", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
        Assert.NotEqual(BsonNull.Value, (await context.StoredAsync("reopened"))!["expiresAt"]);

        await container.AddTaskAsync("b", cancellationToken: Token);

        Assert.Equal(BsonNull.Value, (await context.StoredAsync("reopened"))!["expiresAt"]);
        Assert.Null(container.ExpiresAt);
    }
}
