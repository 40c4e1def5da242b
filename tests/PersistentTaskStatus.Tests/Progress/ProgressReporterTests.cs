using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Progress;

public sealed class ProgressReporterTests(MongoFixture fixture) : IDisposable
{
    private readonly LibraryTestContext context = new(fixture, typeof(ProgressReporterTests), o => o.RenewLeases = false);

    private static CancellationToken Token => LibraryTestContext.Token;

    public void Dispose() => context.Dispose();

    private async Task<TaskContainer> ContainerAsync(string name)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync(name, Token);
        await container.AddTaskAsync("t", cancellationToken: Token);
        return container;
    }

    private async Task<BsonDocument> StoredTaskAsync(string name) => (await context.StoredAsync(name))!["tasks"][0].AsBsonDocument;

    [Fact]
    public async Task By_default_every_report_is_persisted_in_order()
    {
        var container = await ContainerAsync("every");
        context.ClearCommands();

        await using (var progress = container.CreateProgressReporter("t"))
        {
            IProgress<double> asProgress = progress;
            for (var i = 1; i <= 10; i++)
            {
                asProgress.Report(i * 10);
            }

            await progress.FlushAsync(Token);
            Assert.Equal(10, progress.Writes);
        }

        Assert.Equal(10, context.Commands.Count(c => c.Name == "findAndModify"));
        Assert.Equal(100.0, (await StoredTaskAsync("every"))["percentageComplete"].AsDouble);
    }

    [Fact]
    public async Task A_coalescing_reporter_writes_less_but_a_flush_writes_the_last_value()
    {
        var container = await ContainerAsync("interval");
        var progress = container.CreateProgressReporter("t", new ProgressReporterOptions { MinInterval = TimeSpan.FromHours(1) });

        IProgress<ProgressReport> reports = progress;
        reports.Report(new ProgressReport(10, "first"));
        await progress.FlushAsync(Token);
        reports.Report(new ProgressReport(20, "second"));
        reports.Report(new ProgressReport(30, "third"));
        await Task.Delay(100, Token);
        var beforeFlush = await StoredTaskAsync("interval");
        await progress.FlushAsync(Token);
        var afterFlush = await StoredTaskAsync("interval");
        await progress.DisposeAsync();

        Assert.Equal(10.0, beforeFlush["percentageComplete"].AsDouble);
        Assert.Equal(30.0, afterFlush["percentageComplete"].AsDouble);
        Assert.Equal("third", afterFlush["statusText"].AsString);
        Assert.Equal(2, progress.Writes);
    }

    [Fact]
    public async Task A_minimum_change_holds_back_small_steps_and_disposal_writes_the_last_one()
    {
        var container = await ContainerAsync("change");
        var progress = container.CreateProgressReporter("t", new ProgressReporterOptions { MinChange = 5 });

        foreach (var value in new[] { 1, 1.5, 2, 7, 7.2 })
        {
            progress.Report(value);
            await Task.Delay(20, Token);
        }

        var held = (await StoredTaskAsync("change"))["percentageComplete"].AsDouble;
        await progress.DisposeAsync();

        Assert.Equal(7.0, held);
        Assert.Equal(7.2, (await StoredTaskAsync("change"))["percentageComplete"].AsDouble);
        Assert.Equal(3, progress.Writes);
    }

    [Fact]
    public async Task Completing_a_lease_first_writes_what_its_coalescing_reporter_holds()
    {
        var container = await ContainerAsync("lease-progress");
        await using var lease = (await container.TryLeaseNextTaskAsync("w", TimeSpan.FromMinutes(1), Token))!;
        var progress = lease.CreateProgressReporter(new ProgressReporterOptions { MinInterval = TimeSpan.FromHours(1) });

        progress.Report(new ProgressReport(10, "started"));
        await progress.FlushAsync(Token);
        progress.Report(new ProgressReport(95, "last rows imported"));
        await lease.CompleteAsync(cancellationToken: Token);

        var stored = await StoredTaskAsync("lease-progress");
        Assert.Equal("last rows imported", stored["statusText"].AsString);
        Assert.Equal("completed", stored["status"].AsString);
        Assert.Equal(2, progress.Writes);
        await progress.DisposeAsync();
    }

    [Fact]
    public async Task A_write_error_surfaces_on_the_next_flush()
    {
        var container = await ContainerAsync("errors");
        await container.UpdateTaskAsync("t", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
        var progress = container.CreateProgressReporter("t");

        progress.Report(50);

        await Assert.ThrowsAsync<TaskStateException>(() => progress.FlushAsync(Token));
        Assert.Throws<ArgumentOutOfRangeException>(() => progress.Report(double.NaN));
        await progress.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => progress.Report(1));
    }
}
