using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MongoDB.Bson;
using PersistentTaskStatus.Benchmarks.Infrastructure;

namespace PersistentTaskStatus.Benchmarks;

/// <summary>
/// The hot path, on containers of 1, 100 and 1,000 tasks: the library's <see cref="TaskContainer.UpdateProgressAsync"/>,
/// the same findAndModify sent with the raw driver (the baseline), and the old module's read-modify-replace. Each call
/// moves the last task of the container to the next percentage (0, 1, ..., 99, 0, ...) with a status text.
/// </summary>
[BenchmarkCategory("UpdateProgress")]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class UpdateProgressBenchmarks : ContainerBenchmark
{
    private TaskContainer container = null!;
    private string containerName = "";
    private string taskName = "";
    private int step;

    [Params(1, 100, 1000)]
    public int TaskCount { get; set; }

    private protected override string Parameters => Param(nameof(TaskCount), TaskCount);

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await StartMongoAsync();
        containerName = $"progress-{TaskCount}";
        taskName = Seed.TaskName(TaskCount - 1);
        container = await Seed.ContainerAsync(Timed.Library, containerName, TaskCount);

        var metered = (await Metered.Library.GetTaskContainerAsync(containerName))!;
        await MeasureWireAsync(nameof(Library), () => { var p = Next(); return metered.UpdateProgressAsync(taskName, p, Seed.ProgressTexts[p]); });
        await MeasureWireAsync(nameof(RawDriver), () => { var p = Next(); return Infrastructure.RawDriver.UpdateProgressAsync(Metered.Raw, containerName, taskName, p, Seed.ProgressTexts[p]); });
        await MeasureWireAsync(nameof(OldModule), () => { var p = Next(); return Infrastructure.OldModule.UpdateProgressAsync(Metered.Raw, containerName, taskName, p, Seed.ProgressTexts[p]); });
    }

    [Benchmark(Description = "UpdateProgressAsync")]
    public Task<TaskState> Library()
    {
        var p = Next();
        return container.UpdateProgressAsync(taskName, p, Seed.ProgressTexts[p]);
    }

    [Benchmark(Baseline = true, Description = "raw findAndModify")]
    public Task<BsonDocument> RawDriver()
    {
        var p = Next();
        return Infrastructure.RawDriver.UpdateProgressAsync(Timed.Raw, containerName, taskName, p, Seed.ProgressTexts[p]);
    }

    [Benchmark(Description = "old module: find + replace")]
    public Task OldModule()
    {
        var p = Next();
        return Infrastructure.OldModule.UpdateProgressAsync(Timed.Raw, containerName, taskName, p, Seed.ProgressTexts[p]);
    }

    private int Next() => step = (step + 1) % 100;
}
