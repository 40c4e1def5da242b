using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PersistentTaskStatus.Benchmarks.Infrastructure;

namespace PersistentTaskStatus.Benchmarks;

/// <summary>
/// Throughput: <see cref="Writers"/> concurrent writers, each updating the progress of its own task of one container
/// (of <see cref="Writers"/> tasks) <see cref="UpdatesPerWriter"/> times in a row. One invocation is all
/// <see cref="Operations"/> updates, so the mean is the time per update with 8 in flight (its inverse is the
/// throughput). The library's writers share one <see cref="TaskContainer"/> handle, as the workers of a process do.
/// </summary>
[BenchmarkCategory("8 concurrent writers")]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ConcurrentWritersBenchmarks : ContainerBenchmark
{
    public const int Writers = 8;
    public const int UpdatesPerWriter = 16;
    public const int Operations = Writers * UpdatesPerWriter;

    private static readonly string[] TaskNames = [.. Enumerable.Range(0, Writers).Select(Seed.TaskName)];
    private const string ContainerName = "concurrent";
    private TaskContainer container = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await StartMongoAsync();
        container = await Seed.ContainerAsync(Timed.Library, ContainerName, Writers);
        var metered = (await Metered.Library.GetTaskContainerAsync(ContainerName))!;
        var p = 0;
        await MeasureWireAsync(nameof(Library), () => { p = (p + 1) % 100; return metered.UpdateProgressAsync(TaskNames[0], p, Seed.ProgressTexts[p]); });
        await MeasureWireAsync(nameof(RawDriver), () => { p = (p + 1) % 100; return Infrastructure.RawDriver.UpdateProgressAsync(Metered.Raw, ContainerName, TaskNames[0], p, Seed.ProgressTexts[p]); });
    }

    [Benchmark(Description = "UpdateProgressAsync x8 writers", OperationsPerInvoke = Operations)]
    public Task Library() => Task.WhenAll(TaskNames.Select(async task =>
    {
        for (var p = 0; p < UpdatesPerWriter; p++)
        {
            await container.UpdateProgressAsync(task, p, Seed.ProgressTexts[p]);
        }
    }));

    [Benchmark(Baseline = true, Description = "raw findAndModify x8 writers", OperationsPerInvoke = Operations)]
    public Task RawDriver() => Task.WhenAll(TaskNames.Select(async task =>
    {
        for (var p = 0; p < UpdatesPerWriter; p++)
        {
            await Infrastructure.RawDriver.UpdateProgressAsync(Timed.Raw, ContainerName, task, p, Seed.ProgressTexts[p]);
        }
    }));
}
