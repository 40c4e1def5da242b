using PersistentTaskStatus;
using PersistentTaskStatus.Docs.Tests;
using PersistentTaskStatus.TestInfrastructure;

namespace ReadmeExamples;

[Collection(ConsoleOutput.Name)]
public sealed class Watching(MongoFixture fixture) : IDisposable
{
    private readonly DocsContext docs = new(fixture, typeof(Watching));

    public void Dispose() => docs.Dispose();

    private static async Task WatchAsync(TaskContainer container, CancellationToken cancellationToken)
    {
        // begin-snippet: watch
        await foreach (var state in container.WatchAsync(cancellationToken))
            Console.WriteLine($"{state.PercentageComplete:0.0}% ({state.CompletedCount}/{state.TaskCount})");
        // end-snippet
    }

    /// <summary>Waits until the console shows <paramref name="line"/>, writing a change now and then so that a watch that opened late sees one.</summary>
    private static async Task UntilPrintedAsync(ConsoleOutput console, string line, Func<int, Task> change)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        for (var i = 0; !console.Text.Split('\n').Contains(line); i++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the watch never printed '{line}'; it printed:\n{console.Text}");
            await change(i);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task The_watch_prints_each_committed_state_until_it_is_cancelled()
    {
        var (container, _) = await docs.Client.GetOrCreateTaskContainerAsync("watched-example");
        await container.AddTaskAsync("download");
        await container.AddTaskAsync("import");
        using var console = ConsoleOutput.Capture();
        using var cancel = new CancellationTokenSource();

        var watching = WatchAsync(container, cancel.Token);
        await UntilPrintedAsync(console, $"{25.0:0.0}% (0/2)", i => container.UpdateProgressAsync("download", 50));
        await container.UpdateTaskAsync("download", new TaskChanges { Status = TaskRunStatus.Completed });

        // The watch reads each changed container after the change (updateLookup): wait for this state before the
        // next change, or the lookup may already see both.
        await UntilPrintedAsync(console, $"{50.0:0.0}% (1/2)", _ => Task.CompletedTask);
        await container.UpdateTaskAsync("import", new TaskChanges { Status = TaskRunStatus.Completed });
        await UntilPrintedAsync(console, $"{100.0:0.0}% (2/2)", _ => Task.CompletedTask);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
        Assert.Equal([$"{25.0:0.0}% (0/2)", $"{50.0:0.0}% (1/2)", $"{100.0:0.0}% (2/2)"], console.Text.Split('\n').Where(l => l.Length > 0).Distinct());
    }
}
