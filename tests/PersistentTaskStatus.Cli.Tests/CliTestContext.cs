using System.Text.Json;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Cli.Tests;

/// <summary>What a run of pts returned: its exit code and what it wrote.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;

    /// <summary>The lines of standard output, without empty ones.</summary>
    public string[] Lines => Out.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Asserts that a line of standard output matches <paramref name="pattern"/>, showing the whole output when none does.</summary>
    public void AssertLine(string pattern) =>
        Assert.True(Lines.Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, pattern)), $"No line matches {pattern}\n{this}");

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Error}";
}

/// <summary>
/// A database of the test class's own, a library client to set containers up in it, and pts run in-process against
/// it (its entry point, with captured standard output and error).
/// </summary>
public sealed class CliTestContext : IDisposable
{
    private readonly MongoFixture fixture;

    public CliTestContext(MongoFixture fixture, Type testClass)
    {
        this.fixture = fixture;
        DatabaseName = MongoFixture.DatabaseNameFor(testClass);
        Client = new TaskStatusClient(fixture.Client.GetDatabase(DatabaseName), new TaskStatusOptions
        {
            RenewLeases = false,
            StallAfter = TimeSpan.FromMinutes(10),
        });
    }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public string DatabaseName { get; }

    public string ConnectionString => fixture.ConnectionString;

    /// <summary>The library's client on the test's database, for setting containers up and checking them.</summary>
    public TaskStatusClient Client { get; }

    /// <summary>Runs pts with <paramref name="args"/>, plus the connection and the test's database.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunRawAsync([.. args, "--connection", ConnectionString, "--database", DatabaseName]);

    /// <summary>Runs pts with exactly <paramref name="args"/>.</summary>
    public static async Task<CliResult> RunRawAsync(
        IReadOnlyList<string> args,
        string? input = null,
        bool inputIsTerminal = false,
        IReadOnlyDictionary<string, string>? environmentVariables = null,
        CancellationTokenSource? cancel = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment
        {
            Out = TextWriter.Synchronized(output),
            Error = TextWriter.Synchronized(error),
            In = new StringReader(input ?? ""),
            IsInputTerminal = inputIsTerminal,
            IsOutputTerminal = false,
            GetEnvironmentVariable = name => environmentVariables?.GetValueOrDefault(name),
            WatchPollInterval = TimeSpan.FromMilliseconds(100),
            WatchRefreshInterval = TimeSpan.FromMilliseconds(300),
        };
        var exitCode = await PtsCli.RunAsync(args, environment, cancel?.Token ?? Token);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>A container whose tasks t0, t1, ... are in the given states (set directly, without leases).</summary>
    public async Task<TaskContainer> ContainerAsync(string name, params TaskRunStatus[] states)
    {
        var (container, _) = await Client.GetOrCreateTaskContainerAsync(name, Token);
        for (var i = 0; i < states.Length; i++)
        {
            await container.AddTaskAsync($"t{i}", cancellationToken: Token);
            if (states[i] == TaskRunStatus.Running)
            {
                // Running through progress, as workers do (a task set to running without progress is counted as
                // stalled by the query API's summary: see the report).
                await container.UpdateProgressAsync($"t{i}", 50, "working", Token);
            }
            else if (states[i] != TaskRunStatus.Pending)
            {
                await container.UpdateTaskAsync($"t{i}", new TaskChanges { Status = states[i] }, Token);
            }
        }

        return container;
    }

    /// <summary>
    /// A run that failed: "download" failed for good (no retries) with an IOException, "import" failed because it
    /// depends on it, "report" completed.
    /// </summary>
    public async Task<TaskContainer> FailedRunAsync(string name)
    {
        var (container, _) = await Client.GetOrCreateTaskContainerAsync(name, Token);
        await container.AddTaskAsync("report", cancellationToken: Token);
        await container.AddTaskAsync("download", new TaskOptions { MaxRetries = 0 }, Token);
        await container.AddTaskAsync("import", new TaskOptions { DependsOn = ["download"] }, Token);
        await container.UpdateTaskAsync("report", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
        await using (var lease = await container.TryLeaseNextTaskAsync("worker-7", TimeSpan.FromMinutes(1), Token))
        {
            Assert.NotNull(lease);
            Assert.Equal("download", lease.TaskName);
            await lease.FailAsync(new IOException("connection reset at 412 MB"), Token);
        }

        await container.RefreshAsync(Token);
        Assert.True(container.HasFailed);
        return container;
    }

    public void Dispose()
    {
        Client.Dispose();
        fixture.Client.DropDatabase(DatabaseName);
    }
}
