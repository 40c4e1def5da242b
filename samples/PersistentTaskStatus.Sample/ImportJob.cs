using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using MongoDB.Driver;

namespace PersistentTaskStatus.Sample;

/// <summary>
/// The job, as the old node module ran it every hour: check the feed for new files, then
/// <code>
///   check-feed ─┬─ download part-01 ── verify part-01 ── import part-01 ─┬─ rebuild-indexes ── clean-up
///               ├─ download part-02 ── verify part-02 ── import part-02 ─┤
///               └─ ...                                                  ─┘
/// </code>
/// The downloads run side by side; each file then runs its own chain in order; the index rebuild joins them all.
/// Every step is written so that running it again, after a failure or a crash at any point, is harmless: that is
/// what lets the library retry it and hand it to another worker.
/// </summary>
internal sealed class ImportJob(TaskContainer container, SampleCollections data, string worker, FailureInjector failures)
{
    public const string CheckFeed = "check-feed";
    public const string RebuildIndexes = "rebuild-indexes";
    public const string CleanUp = "clean-up";

    // Short leases, so that a killed worker's steps are taken over within seconds; the lease renews itself in the
    // background every third of this while the worker lives.
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    // Back-off between attempts: 250 ms, 500 ms, 1 s, ... (the library doubles it each time).
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Rows imported between two checkpoints.</summary>
    public const int ImportBatch = 50;

    public static string Download(string file) => $"download {file}";

    public static string Verify(string file) => $"verify {file}";

    public static string Import(string file) => $"import {file}";

    /// <summary>The first step; the others are added by the feed check once it knows the new files.</summary>
    public static Task AddFeedCheckAsync(TaskContainer container, StepData settings) =>
        container.AddTaskAsync(CheckFeed, new TaskOptions
        {
            TaskData = settings.For(CheckFeed),
            MaxRetries = settings.MaxRetries,
            RetryDelay = RetryDelay,
        });

    /// <summary>Runs one attempt of one step, for <see cref="TaskContainer.RunAsync"/>.</summary>
    public async Task RunStepAsync(TaskLease lease, CancellationToken cancellationToken)
    {
        var step = lease.State.GetTaskData<StepData>() ?? throw new InvalidDataException($"Task '{lease.TaskName}' has no step data.");
        var record = new AttemptRecord
        {
            Id = $"{lease.TaskName}#{lease.FencingToken}",
            Task = lease.TaskName,
            Attempt = lease.Attempt,
            FencingToken = lease.FencingToken,
            Worker = worker,
            StartedAt = DateTime.UtcNow,
            ResumedFrom = step.Kind switch
            {
                "download" => lease.State.GetProcessingData<DownloadCheckpoint>()?.Offset ?? 0,
                "import" => lease.State.GetProcessingData<ImportCheckpoint>()?.Rows ?? 0,
                _ => 0,
            },
        };
        await data.Attempts.InsertOneAsync(record, cancellationToken: cancellationToken);

        object? result;
        try
        {
            // Where this attempt fails on purpose, if it does: a fraction of the way through the step.
            var failAt = failures.FailurePoint(lease.TaskName, lease.Attempt);
            result = step.Kind switch
            {
                CheckFeed => await CheckFeedAsync(lease, step, failAt, cancellationToken),
                "download" => await DownloadAsync(lease, step, failAt, cancellationToken),
                "verify" => await VerifyAsync(lease, step, failAt, cancellationToken),
                "import" => await ImportAsync(lease, step, failAt, cancellationToken),
                RebuildIndexes => await RebuildIndexesAsync(lease, failAt, cancellationToken),
                CleanUp => await CleanUpAsync(lease, step, failAt, cancellationToken),
                _ => throw new InvalidDataException($"Unknown step kind '{step.Kind}'."),
            };
        }
        catch (Exception ex) when (!lease.IsLost)
        {
            // The run loop records the failed attempt in the task (and schedules the retry); this is our own account.
            await SetOutcomeAsync(record.Id, AttemptRecord.Failed, $"{ex.GetType().Name}: {ex.Message}");
            throw;
        }
        catch (Exception ex)
        {
            await RecordLeaseLostAsync(record.Id, ex);
            throw;
        }

        // Completing ourselves (rather than returning and letting the run loop do it) stores the result, and tells
        // us that this lease's completion is the one that counted: a lease that was lost cannot complete.
        try
        {
            await lease.CompleteAsync(result, CancellationToken.None);
        }
        catch (LeaseLostException ex)
        {
            await RecordLeaseLostAsync(record.Id, ex);
            throw;
        }

        await SetOutcomeAsync(record.Id, AttemptRecord.Completed, null);
    }

    /// <summary>
    /// The lease ran out while this worker still worked on the step (renewals did not get through in time: a slow
    /// network, a long pause) and another worker took the step over; the library refuses this attempt's writes from
    /// then on. The worker lives on, so this is not a crash: the record says so.
    /// </summary>
    private Task RecordLeaseLostAsync(string id, Exception ex) =>
        SetOutcomeAsync(id, AttemptRecord.LeaseLost, $"{ex.GetType().Name}: {ex.Message}");

    private Task SetOutcomeAsync(string id, string outcome, string? error) =>
        data.Attempts.UpdateOneAsync(
            a => a.Id == id,
            Builders<AttemptRecord>.Update.Set(a => a.Outcome, outcome).Set(a => a.Error, error));

    /// <summary>
    /// Finds the feed files not imported yet and adds their steps. Adding is idempotent here (a step that exists is
    /// skipped), so an attempt that died halfway through adding is simply finished by the next one.
    /// </summary>
    private async Task<object?> CheckFeedAsync(TaskLease lease, StepData step, double? failAt, CancellationToken cancellationToken)
    {
        var imported = (await data.ImportedFiles.Find(FilterDefinition<ImportedFile>.Empty).Project(f => f.Id).ToListAsync(cancellationToken)).ToHashSet();
        var newFiles = Feed.List(step.FeedDirectory).Where(f => !imported.Contains(f)).ToList();
        await lease.ReportProgressAsync(10, $"{newFiles.Count} new files", cancellationToken: cancellationToken);
        FailureInjector.ThrowIfDue(failAt, 0.5, "the feed's listing timed out");
        if (newFiles.Count == 0)
        {
            return new CheckFeedResult();
        }

        TaskOptions Options(StepData input, double weight, IReadOnlyCollection<string>? dependsOn = null, bool runAfterPrevious = false) => new()
        {
            TaskData = input,
            Weight = weight,
            DependsOn = dependsOn ?? [],
            RunAfterPrevious = runAfterPrevious,
            MaxRetries = step.MaxRetries,
            RetryDelay = RetryDelay,
        };

        // The whole plan in one atomic write: all of it or none, so a retried feed check finds it whole or absent.
        List<TaskDefinition> plan = [.. newFiles.Select(file => new TaskDefinition(Download(file), Options(step.For("download", file), weight: 4, dependsOn: [CheckFeed])))];
        foreach (var file in newFiles)
        {
            plan.Add(new TaskDefinition(Verify(file), Options(step.For("verify", file), weight: 1, dependsOn: [Download(file)])));
            plan.Add(new TaskDefinition(Import(file), Options(step.For("import", file), weight: 3, runAfterPrevious: true)));
        }

        plan.Add(new TaskDefinition(RebuildIndexes, Options(step.For(RebuildIndexes), weight: 1, dependsOn: [.. newFiles.Select(Import)])));
        plan.Add(new TaskDefinition(CleanUp, Options(step.For(CleanUp), weight: 1, runAfterPrevious: true)));
        try
        {
            await container.AddTasksAsync(plan, cancellationToken);
        }
        catch (DuplicateTaskException)
        {
            // Added, whole, by an earlier attempt of the feed check.
        }

        await lease.ReportProgressAsync(100, $"{newFiles.Count} new files", cancellationToken: cancellationToken);
        return new CheckFeedResult { NewFiles = newFiles.Count };
    }

    /// <summary>
    /// "Downloads" a file by copying it in chunks at a simulated speed. After each chunk the byte offset is saved as
    /// the task's checkpoint, in the same write that reports progress and renews the lease; an attempt after a
    /// failure or a crash resumes from there instead of from zero.
    /// </summary>
    private static async Task<object?> DownloadAsync(TaskLease lease, StepData step, double? failAt, CancellationToken cancellationToken)
    {
        var file = step.File!;
        Directory.CreateDirectory(step.DownloadDirectory);
        var offset = lease.State.GetProcessingData<DownloadCheckpoint>()?.Offset ?? 0;
        await using var input = new FileStream(Path.Combine(step.FeedDirectory, file), FileMode.Open, FileAccess.Read, FileShare.Read);
        await using var output = new FileStream(Path.Combine(step.DownloadDirectory, file), FileMode.OpenOrCreate, FileAccess.Write, FileShare.None);
        var total = input.Length;

        // Bytes written after the last checkpoint may be partial: drop them and go on from the checkpoint.
        output.SetLength(offset);
        input.Position = output.Position = offset;
        var buffer = new byte[step.ChunkBytes];
        while (offset < total)
        {
            var started = Stopwatch.GetTimestamp();
            var read = await input.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, total - offset)), cancellationToken);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);

            // Into the operating system before the checkpoint says so: that survives the process being killed.
            await output.FlushAsync(cancellationToken);
            offset += read;
            FailureInjector.ThrowIfDue(failAt, (double)offset / total, $"connection reset at {Mb(offset)} MB");
            await ThrottleAsync(read, step.BytesPerSecond, started, cancellationToken);
            await lease.ReportProgressAsync(100.0 * offset / total, $"{Mb(offset)} of {Mb(total)} MB", new DownloadCheckpoint { Offset = offset }, cancellationToken);
        }

        return new DownloadCheckpoint { Offset = total };
    }

    /// <summary>Checks the download against the checksum the feed publishes. Cheap to redo, so no checkpoint.</summary>
    private static async Task<object?> VerifyAsync(TaskLease lease, StepData step, double? failAt, CancellationToken cancellationToken)
    {
        var file = step.File!;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var input = new FileStream(Path.Combine(step.DownloadDirectory, file), FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[1 << 20];
        long done = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            done += read;
            FailureInjector.ThrowIfDue(failAt, (double)done / input.Length, "read error");
            await lease.ReportProgressAsync(100.0 * done / input.Length, $"hashed {Mb(done)} MB", cancellationToken: cancellationToken);
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        var published = Feed.PublishedChecksum(step.FeedDirectory, file);
        return actual == published
            ? new VerifyResult { Sha256 = actual }
            : throw new InvalidDataException($"{file}: SHA-256 {actual} does not match the published {published}.");
    }

    /// <summary>
    /// Imports the rows in batches, saving the number of rows done as the checkpoint after each. A batch that was
    /// written but not checkpointed (the worker died in between) is written again: each row's id is its file and line,
    /// so the second insert of a row is refused as a duplicate and skipped, and no row is ever imported twice.
    /// </summary>
    private async Task<object?> ImportAsync(TaskLease lease, StepData step, double? failAt, CancellationToken cancellationToken)
    {
        var file = step.File!;
        var done = lease.State.GetProcessingData<ImportCheckpoint>()?.Rows ?? 0;
        using var reader = new StreamReader(Path.Combine(step.DownloadDirectory, file));
        var length = reader.BaseStream.Length;
        _ = await reader.ReadLineAsync(cancellationToken);
        for (var skipped = 0; skipped < done; skipped++)
        {
            _ = await reader.ReadLineAsync(cancellationToken);
        }

        var batch = new List<ImportedRow>(ImportBatch);
        while (true)
        {
            batch.Clear();
            string? line;
            while (batch.Count < ImportBatch && (line = await reader.ReadLineAsync(cancellationToken)) is not null)
            {
                batch.Add(Parse(file, done + batch.Count + 1, line));
            }

            if (batch.Count == 0)
            {
                break;
            }

            await InsertIgnoringDuplicatesAsync(batch, cancellationToken);
            done += batch.Count;
            var fraction = Math.Min(1.0, (double)reader.BaseStream.Position / length);
            FailureInjector.ThrowIfDue(failAt, fraction, "the database connection dropped");
            await lease.ReportProgressAsync(100 * fraction, $"{done:N0} rows", new ImportCheckpoint { Rows = done }, cancellationToken);
        }

        // Recorded for the next hourly check (an upsert: harmless when an earlier attempt did it already).
        await data.ImportedFiles.ReplaceOneAsync(
            f => f.Id == file,
            new ImportedFile { Id = file, Rows = done, ImportedAt = DateTime.UtcNow },
            new ReplaceOptions { IsUpsert = true },
            cancellationToken);
        return new ImportCheckpoint { Rows = done };
    }

    private async Task InsertIgnoringDuplicatesAsync(List<ImportedRow> batch, CancellationToken cancellationToken)
    {
        try
        {
            await data.Rows.InsertManyAsync(batch, new InsertManyOptions { IsOrdered = false }, cancellationToken);
        }
        catch (MongoBulkWriteException<ImportedRow> ex)
            when (ex.WriteConcernError is null && ex.WriteErrors.All(e => e.Category == ServerErrorCategory.DuplicateKey))
        {
            // Rows that an attempt before a crash had written already.
        }
    }

    private static ImportedRow Parse(string file, int row, string line)
    {
        var fields = line.Split(',', 4);
        return new ImportedRow
        {
            Id = $"{file}:{row}",
            File = file,
            Row = row,
            AppId = long.Parse(fields[0], CultureInfo.InvariantCulture),
            Title = fields[1],
            PriceCents = int.Parse(fields[2], CultureInfo.InvariantCulture),
            Thumbnail = fields[3],
        };
    }

    /// <summary>Drops and recreates the indexes of the imported rows, once all files are in.</summary>
    private async Task<object?> RebuildIndexesAsync(TaskLease lease, double? failAt, CancellationToken cancellationToken)
    {
        await data.Rows.Indexes.DropAllAsync(cancellationToken);
        await lease.ReportProgressAsync(30, "indexes dropped", cancellationToken: cancellationToken);
        FailureInjector.ThrowIfDue(failAt, 0.5, "index build interrupted");
        var keys = Builders<ImportedRow>.IndexKeys;
        await data.Rows.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<ImportedRow>(keys.Ascending(r => r.File).Ascending(r => r.Row), new CreateIndexOptions { Unique = true }),
                new CreateIndexModel<ImportedRow>(keys.Ascending(r => r.AppId)),
                new CreateIndexModel<ImportedRow>(keys.Ascending(r => r.Title)),
            ],
            cancellationToken);
        return null;
    }

    /// <summary>Deletes the downloaded files (deleting what is already gone is fine).</summary>
    private static async Task<object?> CleanUpAsync(TaskLease lease, StepData step, double? failAt, CancellationToken cancellationToken)
    {
        FailureInjector.ThrowIfDue(failAt, 0.5, "file system busy");
        var files = Directory.Exists(step.DownloadDirectory) ? Directory.GetFiles(step.DownloadDirectory) : [];
        foreach (var path in files)
        {
            File.Delete(path);
        }

        await lease.ReportProgressAsync(100, $"{files.Length} downloads deleted", cancellationToken: cancellationToken);
        return null;
    }

    private static async Task ThrottleAsync(int bytes, double bytesPerSecond, long started, CancellationToken cancellationToken)
    {
        var due = TimeSpan.FromSeconds(bytes / bytesPerSecond) - Stopwatch.GetElapsedTime(started);
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due, cancellationToken);
        }
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>
/// Makes attempts fail on purpose, at the configured rate, deterministically from the seed (the same attempt of the
/// same step fails in every run). Only first and second attempts fail, so a run ends well even with kills on top.
/// </summary>
internal sealed class FailureInjector(double rate, int seed)
{
    public double? FailurePoint(string task, int attempt)
    {
        if (attempt > 2)
        {
            return null;
        }

        var random = new Random(Feed.HashCode32($"{seed}/{task}/{attempt}"));
        return random.NextDouble() < rate ? 0.2 + (0.6 * random.NextDouble()) : null;
    }

    public static void ThrowIfDue(double? failurePoint, double progress, string what)
    {
        if (failurePoint is { } point && progress >= point)
        {
            throw new InjectedFailureException($"Injected failure: {what}.");
        }
    }
}

/// <summary>A failure the sample made up; the library treats it as any other exception from a step.</summary>
internal sealed class InjectedFailureException(string message) : IOException(message);
