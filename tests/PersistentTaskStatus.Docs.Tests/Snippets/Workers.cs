using PersistentTaskStatus;
using PersistentTaskStatus.Docs.Tests;
using PersistentTaskStatus.TestInfrastructure;

namespace ReadmeExamples;

/// <summary>The checkpoint of the README's download step: how far it got.</summary>
public sealed class Checkpoint
{
    public long Offset { get; set; }
}

public sealed class Workers(MongoFixture fixture) : IDisposable
{
    private readonly DocsContext docs = new(fixture, typeof(Workers));
    private readonly List<string> imported = [];

    public void Dispose() => docs.Dispose();

    [Fact]
    public async Task A_lease_resumes_from_the_last_holders_checkpoint_and_completes_the_task()
    {
        var (container, _) = await docs.Client.GetOrCreateTaskContainerAsync("lease-example");
        await container.AddTaskAsync("download");
        await using (var earlier = await container.TryLeaseNextTaskAsync("worker-3", TimeSpan.FromMinutes(2)))
        {
            await earlier!.SaveCheckpointAsync(new Checkpoint { Offset = 419_430_400 });
            await earlier.ReleaseAsync();
        }

        // begin-snippet: lease
        await using var lease = await container.TryLeaseNextTaskAsync("worker-7", TimeSpan.FromMinutes(2));
        if (lease is not null)
        {
            var offset = lease.State.GetProcessingData<Checkpoint>()?.Offset ?? 0;       // resume where the last holder stopped
            // ... work, reporting progress; the same write renews the lease and saves the checkpoint:
            await lease.ReportProgressAsync(40, "400 of 1000 MB", new Checkpoint { Offset = offset }, lease.LeaseLost);
            await lease.CompleteAsync();              // or FailAsync(exception), or ReleaseAsync()
        }
        // end-snippet

        var stored = await docs.StoredAsync("lease-example");
        Assert.Equal("completed", stored["tasks"][0]["status"].AsString);
        Assert.Equal("worker-7", stored["tasks"][0]["leaseOwner"].AsString);
        Assert.Equal(419_430_400L, stored["tasks"][0]["processingData"]["Offset"].ToInt64());
        Assert.True(stored["isComplete"].AsBoolean);
    }

    [Fact]
    public async Task A_group_added_in_one_write_is_run_by_the_run_loop_in_dependency_order()
    {
        var (container, _) = await docs.Client.GetOrCreateTaskContainerAsync("group-example");
        await container.AddTaskAsync("check-feed");

        // begin-snippet: add-a-group
        // The downloads side by side after check-feed, then their join and a last step, all in one write:
        await container.AddTasksAsync(
        [
            new TaskDefinition("download part-01", new TaskOptions { DependsOn = ["check-feed"] }),
            new TaskDefinition("download part-02", new TaskOptions { DependsOn = ["check-feed"] }),
            new TaskDefinition("rebuild-indexes", new TaskOptions { DependsOn = ["download part-01", "download part-02"] }),
            new TaskDefinition("clean-up", new TaskOptions { RunAfterPrevious = true }),
        ]);
        // end-snippet

        // begin-snippet: run-loop
        TaskRunResult result = await container.RunAsync("worker-7", async (lease, cancellationToken) =>
        {
            await ImportAsync(lease, cancellationToken);   // throw to fail the attempt; return to complete the task
        }, new TaskRunOptions { MaxDegreeOfParallelism = 4, LeaseDuration = TimeSpan.FromMinutes(2) });
        // end-snippet

        Assert.Equal(5, result.Completed);
        Assert.Equal("check-feed", imported[0]);
        Assert.Equal(["download part-01", "download part-02"], imported[1..3].Order());
        Assert.Equal(["rebuild-indexes", "clean-up"], imported[3..]);
        var stored = await docs.StoredAsync("group-example");
        Assert.True(stored["isComplete"].AsBoolean);
        Assert.Equal(5, stored["completedCount"].AsInt32);
    }

    private async Task ImportAsync(TaskLease lease, CancellationToken cancellationToken)
    {
        lock (imported)
        {
            imported.Add(lease.TaskName);
        }

        await lease.ReportProgressAsync(100, "done", cancellationToken: cancellationToken);
    }
}
