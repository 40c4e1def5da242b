using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Sample.Tests;

/// <summary>
/// The report says what became of each attempt: a lease that expired while its worker lived (a slow network, a long
/// pause) is told apart from an attempt lost with a killed or crashed worker (the report used to call every attempt
/// without an outcome "lost with killed workers").
/// </summary>
public sealed class AttemptAccountTests(MongoFixture fixture) : IDisposable
{
    private readonly string workDirectory = Path.Combine(Path.GetTempPath(), $"pts-attempts-test-{Guid.NewGuid():N}");
    private readonly IMongoDatabase database = fixture.CreateDatabase(typeof(AttemptAccountTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(workDirectory))
        {
            Directory.Delete(workDirectory, recursive: true);
        }

        fixture.Client.DropDatabase(database.DatabaseNamespace.DatabaseName);
    }

    [Fact]
    public void Attempts_without_an_outcome_are_told_apart_by_what_became_of_their_worker()
    {
        var fates = new AttemptFates(killedWorkers: new HashSet<string> { "worker-1" }, crashedWorkers: new HashSet<string> { "worker-4" });
        AttemptRecord[] attempts =
        [
            Attempt("worker-2", AttemptRecord.Completed),
            Attempt("worker-2", AttemptRecord.Failed, "InjectedFailureException: Injected failure: read error."),
            Attempt("worker-2", AttemptRecord.Failed, "IOException: disk full"),
            Attempt("worker-1", outcome: null),
            Attempt("worker-3", AttemptRecord.LeaseLost, "LeaseLostException: ..."),
            Attempt("worker-3", AttemptRecord.LeaseLost, "LeaseLostException: ..."),
            Attempt("worker-4", outcome: null),
            Attempt("worker-5", outcome: null),
        ];

        Assert.Equal(
            [
                AttemptFate.Completed, AttemptFate.FailedOnPurpose, AttemptFate.Failed, AttemptFate.LostWithKilledWorker,
                AttemptFate.LeaseLost, AttemptFate.LeaseLost, AttemptFate.LostWithCrashedWorker, AttemptFate.Unfinished,
            ],
            attempts.Select(fates.Of));
        Assert.Equal(
            "1 completed, 1 failed on purpose, 1 failed, 1 lost with killed workers, 2 lost when their lease expired while the worker lived, 1 lost with crashed workers, 1 unfinished when the run ended, 1 taken by a worker that died before recording them",
            fates.Summary(attempts, taken: 9));
        Assert.Equal("lease expired under worker-3, which lived on", AttemptFates.Describe(AttemptFate.LeaseLost, "worker-3"));
        Assert.Equal("lost with worker-1 (killed)", AttemptFates.Describe(AttemptFate.LostWithKilledWorker, "worker-1"));
    }

    [Fact]
    public async Task A_download_whose_lease_expired_and_was_taken_over_is_recorded_as_lease_lost_by_its_living_worker()
    {
        var feedDirectory = Path.Combine(workDirectory, "feed");
        var file = Feed.Generate(feedDirectory, files: 1, bytesPerFile: 512 * 1024, seed: 3).Single();
        var step = new StepData
        {
            FeedDirectory = feedDirectory,
            DownloadDirectory = Path.Combine(workDirectory, "downloads"),
            ChunkBytes = 16 * 1024,
            BytesPerSecond = 16 * 1024, // one chunk a second: the download outlasts the takeover by far
        }.For("download", file.Name);

        // The slow worker's lease is not renewed (as when renewals do not get through) and lasts one second.
        using var slowClient = new TaskStatusClient(database, new TaskStatusOptions { RenewLeases = false });
        var (slowContainer, _) = await slowClient.GetOrCreateTaskContainerAsync("lease-lost", Token);
        await slowContainer.AddTaskAsync(ImportJob.Download(file.Name), new TaskOptions { TaskData = step }, Token);
        await using var lease = (await slowContainer.TryLeaseNextTaskAsync("slow-worker", TimeSpan.FromSeconds(1), Token))!;
        var data = new SampleCollections(database);
        var job = new ImportJob(slowContainer, data, "slow-worker", new FailureInjector(rate: 0, seed: 1));
        var attempt = job.RunStepAsync(lease, Token);

        // Another worker takes the step over once the database clock says the lease expired.
        using var otherClient = new TaskStatusClient(database);
        var otherContainer = (await otherClient.GetTaskContainerAsync("lease-lost", Token))!;
        TaskLease? takeover = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (takeover is null && DateTime.UtcNow < deadline)
        {
            takeover = await otherContainer.TryLeaseNextTaskAsync("other-worker", TimeSpan.FromMinutes(5), Token);
            if (takeover is null)
            {
                await Task.Delay(100, Token);
            }
        }

        Assert.NotNull(takeover);
        await using (takeover)
        {
            // The slow worker lives on and learns it at its next write.
            await Assert.ThrowsAsync<LeaseLostException>(() => attempt.WaitAsync(TimeSpan.FromSeconds(60), Token));
        }

        var record = await data.Attempts.Find(a => a.Id == $"{ImportJob.Download(file.Name)}#{lease.FencingToken}").SingleAsync(Token);
        Assert.Equal(AttemptRecord.LeaseLost, record.Outcome);
        Assert.StartsWith(nameof(LeaseLostException), record.Error, StringComparison.Ordinal);
        Assert.Equal(AttemptFate.LeaseLost, new AttemptFates(new HashSet<string>(), new HashSet<string>()).Of(record));
    }

    private static AttemptRecord Attempt(string worker, string? outcome, string? error = null) =>
        new() { Id = Guid.NewGuid().ToString("N"), Task = "step", Worker = worker, Outcome = outcome, Error = error };
}
