using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Hosting.Tests.HealthChecks;

public sealed class HealthCheckTests(MongoFixture fixture) : IAsyncLifetime
{
    private readonly HostingTestContext context = new(fixture, typeof(HealthCheckTests), o => o.StallAfter = TimeSpan.FromMilliseconds(300));

    private static CancellationToken Token => HostingTestContext.Token;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => context.DisposeAsync();

    /// <summary>Runs the check registered as in an application, on the context's client (whose commands are recorded).</summary>
    private async Task<HealthReportEntry> CheckAsync(Action<TaskStatusHealthCheckOptions> configure, HealthStatus? failureStatus = null)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(context.Client);
        services.AddHealthChecks().AddPersistentTaskStatus(configure, failureStatus: failureStatus, tags: ["ready"]);
        await using var provider = services.BuildServiceProvider();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(Token);
        var entry = Assert.Single(report.Entries);
        Assert.Equal(PersistentTaskStatusHealthChecksBuilderExtensions.DefaultName, entry.Key);
        Assert.Equal(["ready"], entry.Value.Tags);
        return entry.Value;
    }

    private async Task FailForGoodAsync(string containerName)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync(containerName, Token);
        await container.AddTaskAsync("import", new TaskOptions { MaxRetries = 0 }, Token);
        await using var lease = await container.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(1), Token);
        await lease!.FailAsync(new InvalidOperationException("the feed was empty"), Token);
    }

    [Fact]
    public async Task With_nothing_stalled_or_failed_the_check_is_healthy_and_its_data_counts_zero()
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("healthy:1", Token);
        await container.AddTaskAsync("pending", cancellationToken: Token);

        var result = await CheckAsync(o => o.NamePrefix = "healthy:");

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(0, result.Data["stalledContainers"]);
        Assert.Equal(0, result.Data["stalledTasks"]);
        Assert.Equal(0, result.Data["failedContainers"]);
        Assert.Equal(false, result.Data["truncated"]);
    }

    [Fact]
    public async Task Stalled_tasks_and_recently_failed_containers_make_it_degraded_naming_them_with_the_counts()
    {
        var (running, _) = await context.Client.GetOrCreateTaskContainerAsync("degraded:stalled", Token);
        await running.AddTasksAsync([new("download"), new("verify")], Token);
        await using var first = await running.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(5), Token);
        await using var second = await running.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(5), Token);
        await FailForGoodAsync("degraded:failed");

        // Nothing reports progress: after StallAfter (300 ms) both running tasks are stalled.
        HealthReportEntry result = default;
        await HostingTestContext.WaitUntilAsync(
            async () => (result = await CheckAsync(o => o.NamePrefix = "degraded:")).Data["stalledTasks"] is 2,
            "both leased tasks are reported stalled");

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(1, result.Data["stalledContainers"]);
        Assert.Equal(2, result.Data["stalledTasks"]);
        Assert.Equal(1, result.Data["failedContainers"]);
        Assert.Equal(new[] { "degraded:stalled" }, result.Data["stalledContainerNames"]);
        Assert.Equal(new[] { "degraded:failed" }, result.Data["failedContainerNames"]);
        Assert.Contains("2 stalled task(s) in 1 container(s): degraded:stalled (2)", result.Description);
        Assert.Contains("1 container(s) failed in the last 01:00:00: degraded:failed", result.Description);
    }

    [Fact]
    public async Task A_container_that_failed_before_the_window_is_not_reported()
    {
        await FailForGoodAsync("window:old");
        var failedAt = (await context.Client.GetTaskContainerAsync("window:old", Token))!.UpdatedAt;
        await HostingTestContext.WaitUntilAsync(
            () => Task.FromResult(DateTime.UtcNow - failedAt > TimeSpan.FromMilliseconds(200)),
            "the failure is older than the window");

        var outside = await CheckAsync(o => { o.NamePrefix = "window:"; o.FailedWindow = TimeSpan.FromMilliseconds(100); });
        var inside = await CheckAsync(o => { o.NamePrefix = "window:"; o.FailedWindow = TimeSpan.FromDays(1); });

        Assert.Equal(HealthStatus.Healthy, outside.Status);
        Assert.Equal(0, outside.Data["failedContainers"]);
        Assert.Equal(HealthStatus.Degraded, inside.Status);
        Assert.Equal(1, inside.Data["failedContainers"]);
    }

    [Fact]
    public async Task When_MongoDB_does_not_answer_within_the_timeout_the_check_reports_the_failure_status()
    {
        // Hold back only this context's find commands (the fail point filters on its application name), longer than
        // the check's timeout. Works on MongoDB 4.4+ with test commands enabled, and on the test server.
        await context.Client.EnsureIndexesAsync(Token);
        var admin = context.MongoClient.GetDatabase("admin");
        await admin.RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "configureFailPoint", "failCommand" },
            { "mode", new BsonDocument("times", 2) },
            {
                "data",
                new BsonDocument
                {
                    { "failCommands", new BsonArray { "find" } },
                    { "blockConnection", true },
                    { "blockTimeMS", 3000 },
                    { "appName", context.ApplicationName },
                }
            },
        }, cancellationToken: Token);
        try
        {
            var unhealthy = await CheckAsync(o => o.Timeout = TimeSpan.FromMilliseconds(300));

            Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
            Assert.Equal("MongoDB did not answer within 0.3 s.", unhealthy.Description);
            Assert.NotNull(unhealthy.Exception);
        }
        finally
        {
            await admin.RunCommandAsync<BsonDocument>(new BsonDocument { { "configureFailPoint", "failCommand" }, { "mode", "off" } }, cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_failure_status_is_the_registrations()
    {
        using var unreachable = new TaskStatusClient(
            new MongoClient(new MongoClientSettings
            {
                Server = new MongoServerAddress("127.0.0.1", 1),
                ServerSelectionTimeout = TimeSpan.FromSeconds(10),
            }).GetDatabase("nowhere"),
            new TaskStatusOptions { CreateIndexes = false });
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(unreachable);
        services.AddHealthChecks().AddPersistentTaskStatus(o => o.Timeout = TimeSpan.FromMilliseconds(200), name: "jobs", failureStatus: HealthStatus.Degraded);
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(Token);

        Assert.Equal(HealthStatus.Degraded, report.Entries["jobs"].Status);
        Assert.StartsWith("MongoDB did not answer", report.Entries["jobs"].Description);
    }

    [Fact]
    public async Task A_check_sends_two_index_backed_finds_and_nothing_else()
    {
        await FailForGoodAsync("shape:failed");
        await CheckAsync(o => o.NamePrefix = "shape:");
        context.ClearCommands();

        var result = await CheckAsync(o => o.NamePrefix = "shape:");

        Assert.Equal(HealthStatus.Degraded, result.Status);
        var commands = context.Commands;
        TestContext.Current.SendDiagnosticMessage($"Health check: {commands.Count} command(s) per check: {string.Join(", ", commands.Select(c => c.GetElement(0).Name))}");
        TestContext.Current.TestOutputHelper?.WriteLine($"HEALTH_CHECK_COMMANDS={commands.Count}");
        Assert.Equal(2, commands.Count);
        Assert.All(commands, c => Assert.Equal("find", c.GetElement(0).Name));
        var stalled = Assert.Single(commands, c => c["filter"].AsBsonDocument.Contains("tasks"));
        var failed = Assert.Single(commands, c => c["filter"].AsBsonDocument.Contains("hasFailed"));
        var newestFirst = new BsonDocument { { "updatedAt", -1 }, { "_id", -1 } };
        Assert.Equal(newestFirst, stalled["sort"]);
        Assert.Equal(newestFirst, failed["sort"]);

        // Index-backed, judged by MongoDB's planner where the server explains queries, else by the filters' and
        // sorts' match with the library's indexes.
        var indexes = (await context.Raw.Indexes.List(Token).ToListAsync(Token)).ToDictionary(i => i["name"].AsString, i => i["key"].AsBsonDocument);
        foreach (var find in new[] { stalled, failed })
        {
            var plan = await ExplainAsync(find);
            if (plan is not null)
            {
                Assert.Contains("IXSCAN", plan);
                Assert.DoesNotContain("COLLSCAN", plan);
                continue;
            }

            if (find == stalled)
            {
                // { tasks: { $elemMatch: { status: "running", progressChangedAt: { $lt: t } } } }: both bounds on the multikey index.
                var elemMatch = find["filter"]["tasks"]["$elemMatch"].AsBsonDocument;
                Assert.Equal("running", elemMatch["status"].AsString);
                Assert.True(elemMatch["progressChangedAt"].AsBsonDocument.Contains("$lt"));
                Assert.Equal(new BsonDocument { { "tasks.status", 1 }, { "tasks.progressChangedAt", 1 } }, indexes["tasks_status_progressChangedAt"]);
            }
            else
            {
                // { hasFailed: true, updatedAt >= since } sorted newest first: an equality on the index's first key, then
                // a range and the sort on its next keys, in its order: no in-memory sort, no scan.
                Assert.True(find["filter"]["hasFailed"].AsBoolean);
                Assert.Contains("updatedAt", find["filter"].ToJson());
                Assert.Equal(new BsonDocument { { "hasFailed", 1 }, { "updatedAt", -1 }, { "_id", -1 } }, indexes["hasFailed_updatedAt"]);
            }
        }
    }

    /// <summary>The query planner's answer as JSON, or null where the server does not explain queries (the test server).</summary>
    private async Task<string?> ExplainAsync(BsonDocument find)
    {
        var explain = new BsonDocument
        {
            { "explain", new BsonDocument { { "find", find["find"] }, { "filter", find["filter"] }, { "sort", find["sort"] }, { "limit", find["limit"] } } },
            { "verbosity", "queryPlanner" },
        };
        try
        {
            var reply = await context.Database.RunCommandAsync<BsonDocument>(explain, cancellationToken: Token);
            return reply["queryPlanner"]["winningPlan"].ToJson();
        }
        catch (MongoCommandException ex) when (ex.Code == 59)
        {
            // CommandNotFound: the test server answers so, as MongoDB does for a command it does not have.
            TestContext.Current.SendDiagnosticMessage($"The server does not explain queries ({ex.Code}: {ex.ErrorMessage}); checking the query shape against the indexes instead.");
            return null;
        }
    }

    [Fact]
    public async Task Invalid_health_check_options_stop_the_host_at_start()
    {
        using var host = context.BuildHost(s => s.AddHealthChecks().AddPersistentTaskStatus(o =>
        {
            o.Timeout = TimeSpan.Zero;
            o.MaxContainers = 0;
        }));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Token));

        Assert.Contains("TaskStatusHealthCheckOptions.Timeout of health check 'persistent-task-status' must be more than zero.", error.Message);
        Assert.Contains("TaskStatusHealthCheckOptions.MaxContainers", error.Message);
    }
}
