using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Reliability.Tests;

// Part 4: one table of bad inputs across the public API. Each must throw its documented exception and leave the
// database byte-for-byte as it was (every document of the collection as raw BSON, before and after).
public sealed class BadInputTests(MongoFixture fixture) : IAsyncLifetime
{
    private const string ContainerName = "bad-input";
    private static readonly string TooLong = new('n', 257);
    private readonly ReliabilityContext context = new(fixture, typeof(BadInputTests), o => o.RenewLeases = false);
    private TaskContainer container = null!;
    private TaskContainer deleted = null!;
    private TaskLease completedLease = null!;
    private TaskLease lostLease = null!;
    private TaskLease liveLease = null!;

    private static CancellationToken Token => ReliabilityContext.Token;

    /// <summary>A call, the exception it must throw, and (when the exception is an argument error) the parameter it names.</summary>
    public sealed record Case(string Name, Func<BadInputTests, Task> Call, Type Expected, string? Parameter = null)
    {
        public override string ToString() => Name;
    }

    /// <summary>A type the BSON serializer cannot write as a document: it has a delegate property.</summary>
    public sealed class Unserializable
    {
        public Func<int> Callback { get; set; } = () => 1;
    }

    /// <summary>The table: ≥ 30 bad inputs.</summary>
    public static IReadOnlyList<Case> Cases { get; } =
    [
        // Container names.
        new("container name null", t => t.context.Client.GetOrCreateTaskContainerAsync(null!, Token), typeof(ArgumentNullException), "name"),
        new("container name empty", t => t.context.Client.GetOrCreateTaskContainerAsync("", Token), typeof(ArgumentException), "name"),
        new("container name whitespace", t => t.context.Client.GetOrCreateTaskContainerAsync(" \t\n", Token), typeof(ArgumentException), "name"),
        new("container name 257 characters", t => t.context.Client.GetOrCreateTaskContainerAsync(TooLong, Token), typeof(ArgumentException), "name"),
        new("container name with NUL", t => t.context.Client.GetOrCreateTaskContainerAsync("a\0b", Token), typeof(ArgumentException), "name"),
        new("container name unpaired surrogate", t => t.context.Client.GetOrCreateTaskContainerAsync("x\uD800", Token), typeof(ArgumentException), "name"),
        new("get container name with NUL", t => t.context.Client.GetTaskContainerAsync("\0", Token), typeof(ArgumentException), "name"),
        new("delete container name empty", t => t.context.Client.DeleteTaskContainerAsync("", Token), typeof(ArgumentException), "name"),
        new("delete container name too long", t => t.context.Client.DeleteTaskContainerAsync(TooLong, Token), typeof(ArgumentException), "name"),

        // Task names.
        new("task name null", t => t.container.AddTaskAsync(null!, cancellationToken: Token), typeof(ArgumentNullException), "name"),
        new("task name empty", t => t.container.AddTaskAsync("", cancellationToken: Token), typeof(ArgumentException), "name"),
        new("task name whitespace", t => t.container.AddTaskAsync("   ", cancellationToken: Token), typeof(ArgumentException), "name"),
        new("task name 257 characters", t => t.container.AddTaskAsync(TooLong, cancellationToken: Token), typeof(ArgumentException), "name"),
        new("task name with NUL", t => t.container.AddTaskAsync("t\0", cancellationToken: Token), typeof(ArgumentException), "name"),
        new("task name unpaired surrogate", t => t.container.AddTaskAsync("\uDC00", cancellationToken: Token), typeof(ArgumentException), "name"),
        new("progress on task name with NUL", t => t.container.UpdateProgressAsync("\0", 1, cancellationToken: Token), typeof(ArgumentException), "name"),
        new("duplicate task name", t => t.container.AddTaskAsync("pending", cancellationToken: Token), typeof(DuplicateTaskException)),
        new("duplicate operator-like task name", t => t.container.AddTaskAsync("$where", cancellationToken: Token), typeof(DuplicateTaskException)),
        new("duplicate path-like task name", t => t.container.AddTaskAsync("tasks.0", cancellationToken: Token), typeof(DuplicateTaskException)),

        // Task options.
        new("unknown dependency", t => t.container.AddTaskAsync("new", new TaskOptions { DependsOn = ["missing"] }, Token), typeof(TaskDependencyException)),
        new("later dependency (a task not added yet)", t => t.container.AddTaskAsync("first", new TaskOptions { DependsOn = ["second"] }, Token), typeof(TaskDependencyException)),
        new("dependency on itself", t => t.container.AddTaskAsync("self", new TaskOptions { DependsOn = ["self"] }, Token), typeof(ArgumentException), "options"),
        new("dependency named twice", t => t.container.AddTaskAsync("new", new TaskOptions { DependsOn = ["pending", "pending"] }, Token), typeof(ArgumentException), "options"),
        new("dependency name with NUL", t => t.container.AddTaskAsync("new", new TaskOptions { DependsOn = ["\0"] }, Token), typeof(ArgumentException), "options"),
        new("negative retries", t => t.container.AddTaskAsync("new", new TaskOptions { MaxRetries = -1 }, Token), typeof(ArgumentOutOfRangeException), "options"),
        new("negative retry delay", t => t.container.AddTaskAsync("new", new TaskOptions { RetryDelay = TimeSpan.FromSeconds(-1) }, Token), typeof(ArgumentOutOfRangeException), "options"),
        new("weight NaN", t => t.container.AddTaskAsync("new", new TaskOptions { Weight = double.NaN }, Token), typeof(ArgumentOutOfRangeException), "options"),
        new("weight +∞", t => t.container.AddTaskAsync("new", new TaskOptions { Weight = double.PositiveInfinity }, Token), typeof(ArgumentOutOfRangeException), "options"),
        new("weight negative", t => t.container.AddTaskAsync("new", new TaskOptions { Weight = -0.5 }, Token), typeof(ArgumentOutOfRangeException), "options"),
        new("task data not a document (an int)", t => t.container.AddTaskAsync("new", new TaskOptions { TaskData = 42 }, Token), typeof(ArgumentException), "task data"),
        new("task data of a type the serializer cannot write", t => t.container.AddTaskAsync("new", new TaskOptions { TaskData = new Unserializable() }, Token), typeof(ArgumentException), "task data"),
        new("task data over 16 MB", t => t.container.AddTaskAsync("new", new TaskOptions { TaskData = Huge() }, Token), typeof(TaskContainerTooLargeException)),

        // Percentages.
        new("percentage NaN", t => t.container.UpdateProgressAsync("pending", double.NaN, cancellationToken: Token), typeof(ArgumentOutOfRangeException), "percentage"),
        new("percentage +∞", t => t.container.UpdateProgressAsync("pending", double.PositiveInfinity, cancellationToken: Token), typeof(ArgumentOutOfRangeException), "percentage"),
        new("percentage −∞", t => t.container.UpdateProgressAsync("pending", double.NegativeInfinity, cancellationToken: Token), typeof(ArgumentOutOfRangeException), "percentage"),
        new("percentage −1", t => t.container.UpdateProgressAsync("pending", -1, cancellationToken: Token), typeof(ArgumentOutOfRangeException), "percentage"),
        new("percentage 100.0001", t => t.container.UpdateProgressAsync("pending", 100.0001, cancellationToken: Token), typeof(ArgumentOutOfRangeException), "percentage"),
        new("percentage −0.0000001 in changes", t => t.container.UpdateTaskAsync("pending", new TaskChanges { PercentageComplete = -1e-7 }, Token), typeof(ArgumentOutOfRangeException), "changes"),
        new("lease progress NaN", t => t.liveLease.ReportProgressAsync(double.NaN, cancellationToken: Token), typeof(ArgumentOutOfRangeException), "percentage"),

        // Task changes.
        new("changes null", t => t.container.UpdateTaskAsync("pending", null!, Token), typeof(ArgumentNullException), "changes"),
        new("changes that change nothing", t => t.container.UpdateTaskAsync("pending", new TaskChanges(), Token), typeof(ArgumentException), "changes"),
        new("changes with negative retries", t => t.container.UpdateTaskAsync("pending", new TaskChanges { MaxRetries = -3 }, Token), typeof(ArgumentOutOfRangeException), "changes"),
        new("processing data over 16 MB", t => t.container.UpdateTaskAsync("pending", new TaskChanges { ProcessingData = Huge() }, Token), typeof(TaskContainerTooLargeException)),
        new("processing data of a type the serializer cannot write", t => t.container.UpdateTaskAsync("pending", new TaskChanges { ProcessingData = new Unserializable() }, Token), typeof(ArgumentException), "processing data"),
        new("checkpoint over 16 MB", t => t.liveLease.SaveCheckpointAsync(Huge(), Token), typeof(TaskContainerTooLargeException)),
        new("checkpoint null", t => t.liveLease.SaveCheckpointAsync(null!, Token), typeof(ArgumentNullException), "checkpoint"),

        // Missing tasks and states that refuse the change.
        new("progress on a missing task", t => t.container.UpdateProgressAsync("missing", 5, cancellationToken: Token), typeof(TaskNotFoundException)),
        new("update of a missing task", t => t.container.UpdateTaskAsync("missing", new TaskChanges { StatusText = "x" }, Token), typeof(TaskNotFoundException)),
        new("progress on a completed task", t => t.container.UpdateProgressAsync("completed", 5, cancellationToken: Token), typeof(TaskStateException)),
        new("delete a task others depend on", t => t.container.DeleteTaskAsync("pending", Token), typeof(TaskStateException)),
        new("reset a task that has not failed", t => t.container.ResetTaskAsync("completed", Token), typeof(TaskStateException)),
        new("reset a missing task", t => t.container.ResetTaskAsync("missing", Token), typeof(TaskNotFoundException)),

        // Leases.
        new("lease duration zero", t => t.container.TryLeaseNextTaskAsync("w", TimeSpan.Zero, Token), typeof(ArgumentOutOfRangeException), "leaseDuration"),
        new("lease duration negative", t => t.container.TryLeaseNextTaskAsync("w", TimeSpan.FromSeconds(-5), Token), typeof(ArgumentOutOfRangeException), "leaseDuration"),
        new("lease duration a day and a tick", t => t.container.TryLeaseNextTaskAsync("w", TaskContainer.MaxLeaseDuration + TimeSpan.FromTicks(1), Token), typeof(ArgumentOutOfRangeException), "leaseDuration"),
        new("lease duration TimeSpan.MaxValue", t => t.container.TryLeaseNextTaskAsync("w", TimeSpan.MaxValue, Token), typeof(ArgumentOutOfRangeException), "leaseDuration"),
        new("lease owner null", t => t.container.TryLeaseNextTaskAsync(null!, TimeSpan.FromMinutes(1), Token), typeof(ArgumentNullException), "owner"),
        new("lease owner whitespace", t => t.container.TryLeaseNextTaskAsync(" ", TimeSpan.FromMinutes(1), Token), typeof(ArgumentException), "owner"),
        new("run with zero parallelism", t => t.container.RunAsync("w", (_, _) => Task.CompletedTask, new TaskRunOptions { MaxDegreeOfParallelism = 0 }, Token), typeof(ArgumentOutOfRangeException)),
        new("complete a completed lease", t => t.completedLease.CompleteAsync(cancellationToken: Token), typeof(InvalidOperationException)),
        new("progress on a completed lease", t => t.completedLease.ReportProgressAsync(50, cancellationToken: Token), typeof(InvalidOperationException)),
        new("release a completed lease", t => t.completedLease.ReleaseAsync(Token), typeof(InvalidOperationException)),
        new("progress on a lost lease", t => t.lostLease.ReportProgressAsync(50, cancellationToken: Token), typeof(LeaseLostException)),
        new("complete a lost lease", t => t.lostLease.CompleteAsync(cancellationToken: Token), typeof(LeaseLostException)),
        new("fail a lost lease", t => t.lostLease.FailAsync(new InvalidOperationException("late"), Token), typeof(LeaseLostException)),
        new("renew a lost lease", t => t.lostLease.RenewAsync(Token), typeof(LeaseLostException)),

        // A deleted container.
        new("add to a deleted container", t => t.deleted.AddTaskAsync("t", cancellationToken: Token), typeof(TaskContainerNotFoundException)),
        new("progress in a deleted container", t => t.deleted.UpdateProgressAsync("t", 5, cancellationToken: Token), typeof(TaskContainerNotFoundException)),
        new("update in a deleted container", t => t.deleted.UpdateTaskAsync("t", new TaskChanges { StatusText = "x" }, Token), typeof(TaskContainerNotFoundException)),
        new("delete a task of a deleted container", t => t.deleted.DeleteTaskAsync("t", Token), typeof(TaskContainerNotFoundException)),
        new("lease in a deleted container", t => t.deleted.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token), typeof(TaskContainerNotFoundException)),
        new("reset in a deleted container", t => t.deleted.ResetTaskAsync("t", Token), typeof(TaskContainerNotFoundException)),
        new("refresh a deleted container", t => t.deleted.RefreshAsync(Token), typeof(TaskContainerNotFoundException)),

        // Queries.
        new("query page size 0", t => t.context.Client.QueryTaskContainersAsync(new TaskContainerQuery { PageSize = 0 }, Token), typeof(ArgumentOutOfRangeException)),
        new("query continuation token not issued by the library", t => t.context.Client.QueryTaskContainersAsync(new TaskContainerQuery { ContinuationToken = "{$where: 1}" }, Token), typeof(ArgumentException)),
    ];

    public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

    public async ValueTask InitializeAsync()
    {
        container = (await context.Client.GetOrCreateTaskContainerAsync(ContainerName, Token)).Container;
        await container.AddTaskAsync("$where", cancellationToken: Token);
        await container.AddTaskAsync("tasks.0", cancellationToken: Token);
        await container.AddTaskAsync("completed", cancellationToken: Token);
        await container.UpdateTaskAsync("completed", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
        await container.AddTaskAsync("leased-then-completed", cancellationToken: Token);
        await container.AddTaskAsync("leased-then-lost", cancellationToken: Token);
        await container.AddTaskAsync("leased", cancellationToken: Token);
        await container.AddTaskAsync("pending", new TaskOptions { DependsOn = ["$where"] }, Token);
        await container.AddTaskAsync("depends-on-pending", new TaskOptions { DependsOn = ["pending"] }, Token);

        // "$where" and "tasks.0" are leased first, in insertion order, by leases that are then released.
        foreach (var _ in new[] { 1, 2 })
        {
            var first = await container.TryLeaseNextTaskAsync("setup", TimeSpan.FromMinutes(5), Token);
            await first!.CompleteAsync(cancellationToken: Token);
        }

        completedLease = (await container.TryLeaseNextTaskAsync("setup", TimeSpan.FromMinutes(5), Token))!;
        Assert.Equal("leased-then-completed", completedLease.TaskName);
        await completedLease.CompleteAsync(cancellationToken: Token);
        lostLease = (await container.TryLeaseNextTaskAsync("setup", TimeSpan.FromMilliseconds(200), Token))!;
        Assert.Equal("leased-then-lost", lostLease.TaskName);
        await Task.Delay(300, Token);
        var successor = await container.TryLeaseNextTaskAsync("successor", TimeSpan.FromMinutes(5), Token);
        Assert.Equal("leased-then-lost", successor!.TaskName);
        liveLease = (await container.TryLeaseNextTaskAsync("setup", TimeSpan.FromMinutes(5), Token))!;
        Assert.Equal("leased", liveLease.TaskName);

        deleted = (await context.Client.GetOrCreateTaskContainerAsync("bad-input-deleted", Token)).Container;
        await deleted.AddTaskAsync("t", cancellationToken: Token);
        Assert.True(await context.Client.DeleteTaskContainerAsync("bad-input-deleted", Token));
    }

    public ValueTask DisposeAsync()
    {
        context.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void The_table_has_at_least_30_cases_with_distinct_names()
    {
        Assert.True(Cases.Count >= 30, $"{Cases.Count} cases");
        Assert.Equal(Cases.Count, Cases.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public async Task Every_bad_input_throws_its_documented_exception_and_changes_no_byte()
    {
        var failures = new List<string>();
        foreach (var badInput in Cases)
        {
            var before = await context.DumpAsync();
            Exception? thrown = null;
            try
            {
                await badInput.Call(this);
            }
            catch (Exception ex)
            {
                thrown = ex;
            }

            var after = await context.DumpAsync();
            if (thrown?.GetType() != badInput.Expected)
            {
                failures.Add($"{badInput.Name}: expected {badInput.Expected.Name}, got {thrown?.GetType().Name ?? "no exception"}: {thrown?.Message}");
            }
            else if (badInput.Parameter is { } parameter && ((ArgumentException)thrown).ParamName != parameter)
            {
                failures.Add($"{badInput.Name}: the exception names parameter '{((ArgumentException)thrown).ParamName}', not '{parameter}'");
            }
            else if (thrown is TaskStatusException { ContainerName: null })
            {
                failures.Add($"{badInput.Name}: {thrown.GetType().Name} does not name the container");
            }

            if (!before.AsSpan().SequenceEqual(after))
            {
                failures.Add($"{badInput.Name}: the database changed ({before.Length} bytes before, {after.Length} after)");
            }
        }

        Figures.Add("bad inputs tried (each refused, database byte-identical)", Cases.Count - failures.Count);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static BsonDocument Huge() => new("blob", new BsonBinaryData(new byte[(16 * 1024 * 1024) + 1]));
}

// Names are values, never paths: names that look like operators or paths are stored and read back exactly.
public sealed class NameRoundTripTests(MongoFixture fixture) : IDisposable
{
    private readonly ReliabilityContext context = new(fixture, typeof(NameRoundTripTests));

    private static CancellationToken Token => ReliabilityContext.Token;

    /// <summary>Names that look like operators or paths, stored and read back exactly.</summary>
    public static TheoryData<string> StrangeNames =>
    [
        "$where", "tasks.0", "tasks", "name", "$set", "a.b.c", "$$NOW", "{ \"$gt\": \"\" }", "$literal", "_id",
        "名前・タスク", "🚀 launch", " leading and trailing ", "x".PadRight(256, 'y'), "$", ".", "$.$",
    ];

    [Theory]
    [MemberData(nameof(StrangeNames))]
    public async Task A_name_that_looks_like_an_operator_or_a_path_is_stored_and_read_back_exactly(string name)
    {
        var (created, _) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        await created.AddTaskAsync(name, new TaskOptions { TaskData = new BsonDocument("n", name) }, Token);
        await created.AddTaskAsync("plain", new TaskOptions { DependsOn = [name] }, Token);
        await created.UpdateProgressAsync(name, 12.5, name, Token);

        var stored = await context.StoredAsync(name);
        Assert.NotNull(stored);
        Assert.Equal(name, stored["name"].AsString);
        var task = stored["tasks"][0].AsBsonDocument;
        Assert.Equal(name, task["name"].AsString);
        Assert.Equal(name, task["statusText"].AsString);
        Assert.Equal(12.5, task["percentageComplete"].ToDouble());
        Assert.Equal(new BsonArray { name }, stored["tasks"][1]["dependsOn"].AsBsonArray);

        var read = await context.Client.GetTaskContainerAsync(name, Token);
        Assert.Equal(name, read!.Name);
        Assert.Equal([name, "plain"], read.Tasks.Select(t => t.Name));
        Assert.Equal(name, read.Tasks[0].TaskData!["n"].AsString);
        Assert.True(await context.Client.DeleteTaskContainerAsync(name, Token));
        Figures.Add("operator- and path-like names stored and read back exactly", 1);
    }

    public void Dispose() => context.Dispose();
}
