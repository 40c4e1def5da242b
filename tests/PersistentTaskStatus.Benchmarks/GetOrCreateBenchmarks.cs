using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MongoDB.Bson;
using PersistentTaskStatus.Benchmarks.Infrastructure;

namespace PersistentTaskStatus.Benchmarks;

/// <summary>
/// <see cref="TaskStatusClient.GetOrCreateTaskContainerAsync"/> on a container that exists (of 1 or 100 tasks: the
/// reply is the whole document), against the same upserting findAndModify sent with the raw driver.
/// </summary>
[BenchmarkCategory("GetOrCreate")]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class GetOrCreateBenchmarks : ContainerBenchmark
{
    private string containerName = "";

    [Params(1, 100)]
    public int TaskCount { get; set; }

    private protected override string Parameters => Param(nameof(TaskCount), TaskCount);

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await StartMongoAsync();
        containerName = $"existing-{TaskCount}";
        await Seed.ContainerAsync(Timed.Library, containerName, TaskCount);
        await MeasureWireAsync(nameof(Library), () => Metered.Library.GetOrCreateTaskContainerAsync(containerName));
        await MeasureWireAsync(nameof(RawDriver), () => Infrastructure.RawDriver.GetOrCreateAsync(Metered.Raw, containerName));
    }

    [Benchmark(Description = "GetOrCreateTaskContainerAsync")]
    public Task<GetOrCreateResult> Library() => Timed.Library.GetOrCreateTaskContainerAsync(containerName);

    [Benchmark(Baseline = true, Description = "raw findAndModify (upsert)")]
    public Task<BsonDocument> RawDriver() => Infrastructure.RawDriver.GetOrCreateAsync(Timed.Raw, containerName);
}
