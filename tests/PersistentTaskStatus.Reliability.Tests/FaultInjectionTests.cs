using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Reliability.Tests;

// Part 1: faults injected with configureFailPoint, as on MongoDB with test commands enabled
// (https://github.com/mongodb/mongo/wiki/The-%22failCommand%22-fail-point). Every change is one findAndModify, a
// retryable write: a dropped connection, before the write or after it committed, is retried by the driver and applied
// exactly once; a non-retryable error changes nothing; a blocked server gives a TimeoutException and a write applied
// whole or not at all.
[Collection(ServerWideStateCollection.Name)]
public sealed class FaultInjectionTests(MongoFixture fixture)
{
    /// <summary>The kinds of write, each one findAndModify.</summary>
    public static TheoryData<string> WriteKinds => ["create", "add", "progress", "lease", "complete", "fail", "delete-task", "delete-container"];

    public static TheoryData<string, string> DroppedConnections
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var kind in WriteKinds)
            {
                data.Add(kind, "closeConnection");
                data.Add(kind, "lostReplyAfterCommit");
            }

            return data;
        }
    }

    public static TheoryData<string, int> ServerErrors
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var kind in WriteKinds)
            {
                data.Add(kind, 2);
                data.Add(kind, 121);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(DroppedConnections))]
    public async Task A_dropped_connection_is_retried_and_the_write_applied_exactly_once(string kind, string fault)
    {
        using var context = new ReliabilityContext(fixture, typeof(FaultInjectionTests));
        var scenario = await Scenario.PrepareAsync(context, kind);
        var lostReply = fault == "lostReplyAfterCommit";
        // onPrimaryTransactionalWrite cannot be scoped to an application on MongoDB; the tests of this collection run
        // alone, so the one write it catches is this scenario's.
        int triggered;
        await using (var failPoint = lostReply
            ? await context.FailAsync("onPrimaryTransactionalWrite", new BsonDocument("times", 1), new BsonDocument("closeConnection", true))
            : await context.FailCommandAsync(new BsonDocument("times", 1), new BsonDocument("closeConnection", true), "findAndModify"))
        {
            await scenario.RunAsync();
            triggered = await failPoint.OffAsync();
        }

        Assert.Equal(1, triggered);
        await scenario.AssertAppliedOnceAsync();
        await Invariants.AssertConsistentAsync(context.Raw);
        Figures.Add($"faults injected and survived ({fault})", triggered);
    }

    [Theory]
    [MemberData(nameof(ServerErrors))]
    public async Task A_non_retryable_server_error_surfaces_and_changes_nothing(string kind, int errorCode)
    {
        using var context = new ReliabilityContext(fixture, typeof(FaultInjectionTests));
        var scenario = await Scenario.PrepareAsync(context, kind);
        var before = await context.DumpAsync();

        MongoCommandException error;
        await using (var failPoint = await context.FailCommandAsync(new BsonDocument("times", 1), new BsonDocument("errorCode", errorCode), "findAndModify"))
        {
            error = await Assert.ThrowsAsync<MongoCommandException>(scenario.RunAsync);
            Assert.Equal(1, await failPoint.OffAsync());
        }

        Assert.Equal(errorCode, error.Code);
        Assert.Contains("failCommand", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await context.DumpAsync());

        // The caller may simply try again: the write then applies once.
        await scenario.RunAsync();
        await scenario.AssertAppliedOnceAsync();
        await Invariants.AssertConsistentAsync(context.Raw);
        Figures.Add($"faults injected and survived (errorCode {errorCode})", 1);
    }

    [Theory]
    [MemberData(nameof(WriteKinds))]
    public async Task A_blocked_server_gives_a_timeout_and_a_write_applied_whole_or_not_at_all(string kind)
    {
        var timeout = TimeSpan.FromMilliseconds(500);
        const int BlockMs = 1000;
        using var context = new ReliabilityContext(fixture, typeof(FaultInjectionTests), o => o.OperationTimeout = timeout);
        await context.WarmUpAsync();
        var scenario = await Scenario.PrepareAsync(context, kind);
        var before = await context.DumpAsync();

        TimeoutException error;
        TimeSpan elapsed;
        await using (var failPoint = await context.FailCommandAsync(
            new BsonDocument("times", 1),
            new BsonDocument { { "blockConnection", true }, { "blockTimeMS", BlockMs } },
            "findAndModify"))
        {
            var (thrown, took) = await Figures.TimeAsync(scenario.RunAsync);
            error = Assert.IsType<TimeoutException>(thrown);
            elapsed = took;
            Assert.Equal(1, await failPoint.OffAsync());
        }

        Assert.InRange(elapsed, timeout - TimeSpan.FromMilliseconds(50), timeout + TimeSpan.FromSeconds(1));
        Assert.Contains("OperationTimeout", error.Message, StringComparison.Ordinal);

        // The blocked command runs when the block ends, though its caller left: wait for that, then the write is
        // either absent or whole, and the summary agrees with the tasks either way.
        await Task.Delay(TimeSpan.FromMilliseconds(BlockMs + 250) - elapsed, ReliabilityContext.Token);
        await Invariants.AssertConsistentAsync(context.Raw);
        var after = await context.DumpAsync();
        var applied = !after.AsSpan().SequenceEqual(before);
        if (applied)
        {
            await scenario.AssertAppliedOnceAsync();
        }

        Figures.Print($"{kind}: blocked write applied after the caller's timeout: {applied}");
        Figures.Add("faults injected and survived (blockConnection > OperationTimeout)", 1);
    }

    /// <summary>The first calls of a new client, each of which creates the indexes first.</summary>
    public static TheoryData<string> FirstCalls => ["create", "get", "query", "ensure-indexes"];

    /// <summary>Transient faults on <c>createIndexes</c> (not a retryable write, so the driver does not retry it).</summary>
    public static TheoryData<string, string> TransientIndexFaults
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var call in FirstCalls)
            {
                data.Add(call, "closeConnection");
            }

            data.Add("create", "closeConnection x3");
            data.Add("create", "errorCode 11600");
            data.Add("create", "errorCode 91");
            return data;
        }
    }

    private static readonly string[] IndexNames =
        ["_id_", "name_unique", "updatedAt_newest_first", "isComplete_updatedAt", "hasFailed_updatedAt", "tasks_status_progressChangedAt", "expiresAt_ttl"];

    [Theory]
    [MemberData(nameof(TransientIndexFaults))]
    public async Task A_transient_fault_during_index_creation_is_retried_and_the_first_call_succeeds(string call, string fault)
    {
        // A database of its own, so that the indexes are really created by this call.
        var database = "rel-indexes-" + Guid.NewGuid().ToString("N")[..8];
        using var context = new ReliabilityContext(fixture, typeof(FaultInjectionTests), databaseName: database);
        try
        {
            var (times, data) = fault switch
            {
                "closeConnection" => (1, new BsonDocument("closeConnection", true)),
                "closeConnection x3" => (3, new BsonDocument("closeConnection", true)),
                _ => (1, new BsonDocument("errorCode", int.Parse(fault["errorCode ".Length..], System.Globalization.CultureInfo.InvariantCulture))),
            };
            int triggered;
            await using (var failPoint = await context.FailCommandAsync(new BsonDocument("times", times), data, "createIndexes"))
            {
                await FirstCallAsync(context, call, "first-call");
                triggered = await failPoint.OffAsync();
            }

            Assert.Equal(times, triggered);
            var indexes = await (await context.Raw.Indexes.ListAsync(CancellationToken.None)).ToListAsync(CancellationToken.None);
            Assert.Equal(IndexNames.Order(), indexes.Select(i => i["name"].AsString).Order());
            Assert.Equal(call == "create" ? 1 : 0, await context.Raw.CountDocumentsAsync(new BsonDocument("name", "first-call"), cancellationToken: CancellationToken.None));
            await Invariants.AssertConsistentAsync(context.Raw);
            Figures.Add($"faults injected on createIndexes and survived ({fault.Split(' ')[0]})", triggered);
        }
        finally
        {
            await fixture.Client.DropDatabaseAsync(database, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Index_creation_that_keeps_failing_gives_a_timeout_naming_the_container_within_the_timeout_and_writes_nothing()
    {
        var timeout = TimeSpan.FromMilliseconds(1500);
        var database = "rel-indexes-" + Guid.NewGuid().ToString("N")[..8];
        using var context = new ReliabilityContext(fixture, typeof(FaultInjectionTests), o => o.OperationTimeout = timeout, databaseName: database);
        try
        {
            int triggered;
            Exception? thrown;
            TimeSpan elapsed;
            await using (var failPoint = await context.FailCommandAsync("alwaysOn", new BsonDocument("closeConnection", true), "createIndexes"))
            {
                (thrown, elapsed) = await Figures.TimeAsync(() => context.Client.GetOrCreateTaskContainerAsync("never-written", ReliabilityContext.Token));
                triggered = await failPoint.OffAsync();
            }

            var error = Assert.IsType<TimeoutException>(thrown);
            Assert.Contains("task container 'never-written'", error.Message, StringComparison.Ordinal);
            Assert.Contains("OperationTimeout", error.Message, StringComparison.Ordinal);
            Assert.InRange(elapsed, timeout - TimeSpan.FromMilliseconds(50), timeout + TimeSpan.FromSeconds(2));
            Assert.True(triggered > 1, $"index creation was tried {triggered} time(s)");
            Assert.Equal(0, await context.Raw.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: CancellationToken.None));

            // Once the fault has passed, the same client creates them on its next call.
            await context.Client.GetOrCreateTaskContainerAsync("never-written", ReliabilityContext.Token);
            Assert.Equal(7, (await (await context.Raw.Indexes.ListAsync(CancellationToken.None)).ToListAsync(CancellationToken.None)).Count);
            Figures.Print($"createIndexes tried {triggered} times (with back-off) within a {timeout.TotalMilliseconds:0} ms OperationTimeout, then TimeoutException after {elapsed.TotalMilliseconds:0} ms");
            Figures.Add("persistent createIndexes failures: TimeoutException within OperationTimeout, nothing written", 1);
        }
        finally
        {
            await fixture.Client.DropDatabaseAsync(database, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_non_transient_error_during_index_creation_surfaces_at_once_and_writes_nothing()
    {
        var database = "rel-indexes-" + Guid.NewGuid().ToString("N")[..8];
        using var context = new ReliabilityContext(fixture, typeof(FaultInjectionTests), databaseName: database);
        try
        {
            MongoCommandException error;
            await using (var failPoint = await context.FailCommandAsync(new BsonDocument("times", 1), new BsonDocument("errorCode", 85), "createIndexes"))
            {
                error = await Assert.ThrowsAsync<MongoCommandException>(() => context.Client.GetOrCreateTaskContainerAsync("never-written", ReliabilityContext.Token));
                Assert.Equal(1, await failPoint.OffAsync());
            }

            Assert.Equal(85, error.Code);
            Assert.Equal(0, await context.Raw.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: CancellationToken.None));
            Figures.Add("non-transient createIndexes errors (code 85): surfaced at once, nothing written", 1);
        }
        finally
        {
            await fixture.Client.DropDatabaseAsync(database, CancellationToken.None);
        }
    }

    private static async Task FirstCallAsync(ReliabilityContext context, string call, string name)
    {
        var token = ReliabilityContext.Token;
        switch (call)
        {
            case "create":
                Assert.True((await context.Client.GetOrCreateTaskContainerAsync(name, token)).Created);
                break;
            case "get":
                Assert.Null(await context.Client.GetTaskContainerAsync(name, token));
                break;
            case "query":
                Assert.Empty((await context.Client.QueryTaskContainersAsync(new TaskContainerQuery(), token)).Containers);
                break;
            case "ensure-indexes":
                await context.Client.EnsureIndexesAsync(token);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(call), call, null);
        }
    }

    /// <summary>One kind of write, prepared on a container of its own, run, and checked to have applied exactly once.</summary>
    private sealed class Scenario
    {
        private readonly ReliabilityContext context;
        private readonly string kind;
        private readonly string name = "fault-" + Guid.NewGuid().ToString("N")[..8];
        private TaskContainer? container;
        private TaskLease? lease;
        private object? result;

        private Scenario(ReliabilityContext context, string kind)
        {
            this.context = context;
            this.kind = kind;
        }

        public static async Task<Scenario> PrepareAsync(ReliabilityContext context, string kind)
        {
            var scenario = new Scenario(context, kind);
            await context.Client.EnsureIndexesAsync(ReliabilityContext.Token);
            if (kind != "create")
            {
                scenario.container = (await context.Client.GetOrCreateTaskContainerAsync(scenario.name, ReliabilityContext.Token)).Container;
            }

            if (kind is "progress" or "lease" or "complete" or "fail" or "delete-task" or "delete-container")
            {
                await scenario.container!.AddTaskAsync("t", new TaskOptions { MaxRetries = 0 }, ReliabilityContext.Token);
            }

            if (kind is "complete" or "fail")
            {
                scenario.lease = await scenario.container!.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(5), ReliabilityContext.Token);
                Assert.NotNull(scenario.lease);
            }

            return scenario;
        }

        public async Task RunAsync()
        {
            var token = ReliabilityContext.Token;
            switch (kind)
            {
                case "create":
                    result = await context.Client.GetOrCreateTaskContainerAsync(name, token);
                    break;
                case "add":
                    result = await container!.AddTaskAsync("t", cancellationToken: token);
                    break;
                case "progress":
                    result = await container!.UpdateProgressAsync("t", 42.5, "half-way", token);
                    break;
                case "lease":
                    lease = await container!.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(5), token);
                    result = lease;
                    break;
                case "complete":
                    result = await lease!.CompleteAsync(cancellationToken: token);
                    break;
                case "fail":
                    result = await lease!.FailAsync(new InvalidOperationException("boom"), token);
                    break;
                case "delete-task":
                    result = await container!.DeleteTaskAsync("t", token);
                    break;
                case "delete-container":
                    result = await context.Client.DeleteTaskContainerAsync(name, token);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
            }
        }

        public async Task AssertAppliedOnceAsync()
        {
            var stored = await context.StoredAsync(name);
            var count = await context.Raw.CountDocumentsAsync(new BsonDocument("name", name), cancellationToken: CancellationToken.None);
            BsonDocument Task() => stored!["tasks"].AsBsonArray.Single().AsBsonDocument;
            switch (kind)
            {
                case "create":
                    Assert.Equal(1, count);
                    Assert.Empty(stored!["tasks"].AsBsonArray);
                    if (result is GetOrCreateResult created)
                    {
                        Assert.True(created.Created);
                    }

                    break;
                case "add":
                    Assert.Single(stored!["tasks"].AsBsonArray);
                    Assert.Equal(1, stored["taskCount"].ToInt32());
                    break;
                case "progress":
                    Assert.Equal(42.5, Task()["percentageComplete"].ToDouble());
                    Assert.Equal("running", Task()["status"].AsString);
                    Assert.Equal(0, Task()["invokeCount"].ToInt32());
                    break;
                case "lease":
                    Assert.Equal(1, Task()["invokeCount"].ToInt32());
                    Assert.Equal(1L, Task()["fencingToken"].ToInt64());
                    Assert.Equal(1L, stored!["lastToken"].ToInt64());
                    Assert.Equal("running", Task()["status"].AsString);
                    if (result is TaskLease taken)
                    {
                        Assert.Equal(1L, taken.FencingToken);
                        Assert.Equal(1, taken.Attempt);
                        await taken.DisposeAsync();
                    }

                    break;
                case "complete":
                    Assert.Equal("completed", Task()["status"].AsString);
                    Assert.Equal(1, Task()["invokeCount"].ToInt32());
                    Assert.Equal(1L, Task()["fencingToken"].ToInt64());
                    Assert.Equal(1, stored!["completedCount"].ToInt32());
                    Assert.True(result is null || lease!.IsEnded);
                    break;
                case "fail":
                    Assert.Equal("failed", Task()["status"].AsString);
                    Assert.Equal(1, Task()["invokeCount"].ToInt32());
                    Assert.Equal("boom", Task()["lastError"]["message"].AsString);
                    Assert.Equal(1, stored!["failedCount"].ToInt32());
                    break;
                case "delete-task":
                    Assert.Empty(stored!["tasks"].AsBsonArray);
                    Assert.Equal(0, stored["taskCount"].ToInt32());
                    if (result is bool deleted)
                    {
                        Assert.True(deleted);
                    }

                    break;
                case "delete-container":
                    Assert.Equal(0, count);
                    if (result is bool existed)
                    {
                        // A retry that did not find the kept reply would have found nothing to delete.
                        Assert.True(existed);
                    }

                    break;
            }

            if (lease is not null)
            {
                await lease.DisposeAsync();
            }
        }
    }
}
