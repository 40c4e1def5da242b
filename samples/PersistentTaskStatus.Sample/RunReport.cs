using System.Globalization;
using MongoDB.Bson;
using MongoDB.Driver;
using Spectre.Console;

namespace PersistentTaskStatus.Sample;

/// <summary>One claim of the proof, and the evidence for or against it.</summary>
internal sealed record Check(string Claim, bool Holds, string Evidence);

/// <summary>
/// The end of the run: figures (steps, attempts, retries, crashes, bytes) and the proof that nothing was lost or
/// done twice, checked from three independent sources: the task container (the library's state), the workers' own
/// attempt records, and the data itself (the feed's files and checksums, the imported rows).
/// </summary>
internal sealed class RunReport
{
    private RunReport(TaskContainer container, IReadOnlyList<AttemptRecord> attempts, IReadOnlyList<FeedFile> feed, WorkerFleet fleet, IReadOnlyList<KillRecord> kills, int killsRequested, IReadOnlyList<Check> checks)
    {
        Container = container;
        Attempts = attempts;
        Feed = feed;
        Fleet = fleet;
        Kills = kills;
        KillsRequested = killsRequested;
        Checks = checks;
    }

    public TaskContainer Container { get; }

    public IReadOnlyList<AttemptRecord> Attempts { get; }

    public IReadOnlyList<FeedFile> Feed { get; }

    public WorkerFleet Fleet { get; }

    public IReadOnlyList<KillRecord> Kills { get; }

    public int KillsRequested { get; }

    public IReadOnlyList<Check> Checks { get; }

    public bool ProofHolds => Checks.All(c => c.Holds);

    public static async Task<RunReport> BuildAsync(
        TaskContainer container,
        SampleCollections data,
        IReadOnlyList<FeedFile> feed,
        string downloadDirectory,
        WorkerFleet fleet,
        IReadOnlyList<KillRecord> kills,
        int killsRequested,
        CancellationToken cancellationToken)
    {
        var tasks = container.Tasks;
        var attempts = await data.Attempts.Find(FilterDefinition<AttemptRecord>.Empty).ToListAsync(cancellationToken);
        var imported = await data.Rows.Aggregate()
            .Group(new BsonDocument { { "_id", "$File" }, { "rows", new BsonDocument("$sum", 1) }, { "priceCents", new BsonDocument("$sum", "$PriceCents") } })
            .ToListAsync(cancellationToken);
        var rowsByFile = imported.ToDictionary(d => d["_id"].AsString, d => (Rows: d["rows"].ToInt64(), PriceCents: d["priceCents"].ToInt64()));
        TaskState? Task(string name) => tasks.FirstOrDefault(t => t.Name == name);

        var checks = new List<Check>();

        var expectedSteps = feed.Count == 0 ? 1 : (3 * feed.Count) + 3;
        checks.Add(new Check(
            "The run is complete and no step failed",
            container.IsComplete && !container.HasFailed && tasks.Count == expectedSteps && tasks.All(t => t.Status == TaskRunStatus.Completed),
            $"{tasks.Count(t => t.Status == TaskRunStatus.Completed)} of {expectedSteps} steps completed, {container.FailedCount} failed"));

        // The library lets only the current lease holder complete a task (fencing); the workers recorded each
        // completion that went through. Exactly one per step, by the step's last lease: nothing done twice.
        var completions = attempts.Where(a => a.Outcome == AttemptRecord.Completed).ToLookup(a => a.Task);
        var notOnce = tasks.Where(t => completions[t.Name].Count() != 1 || completions[t.Name].Single().FencingToken != t.FencingToken).Select(t => t.Name).ToList();
        checks.Add(new Check(
            "Every step was completed exactly once",
            notOnce.Count == 0,
            notOnce.Count == 0
                ? $"{completions.Sum(c => c.Count())} completions recorded by the workers for {tasks.Count} steps, each by the step's last lease"
                : $"not exactly once: {string.Join(", ", notOnce)}"));

        var badDownloads = feed.Where(f =>
            Task(ImportJob.Download(f.Name))?.GetProcessingData<DownloadCheckpoint>()?.Offset != f.Bytes
            || Task(ImportJob.Verify(f.Name))?.GetProcessingData<VerifyResult>()?.Sha256 != f.Sha256).Select(f => f.Name).ToList();
        checks.Add(new Check(
            "Every download is whole and matches its source's checksum",
            badDownloads.Count == 0,
            badDownloads.Count == 0
                ? $"{feed.Count} files, {Mb(feed.Sum(f => f.Bytes))} MB, SHA-256 equal to the generator's"
                : $"wrong: {string.Join(", ", badDownloads)}"));

        var badImports = feed.Where(f => !rowsByFile.TryGetValue(f.Name, out var r) || r.Rows != f.Rows || r.PriceCents != f.PriceCentsSum).Select(f => f.Name).ToList();
        var importedRows = rowsByFile.Values.Sum(r => r.Rows);
        checks.Add(new Check(
            "Every row was imported once",
            badImports.Count == 0 && importedRows == feed.Sum(f => (long)f.Rows),
            badImports.Count == 0
                ? $"{importedRows:N0} rows in the database = {feed.Sum(f => f.Rows):N0} rows in the feed, price sums equal per file"
                : $"wrong: {string.Join(", ", badImports)}"));

        var leftovers = Directory.Exists(downloadDirectory) ? Directory.GetFiles(downloadDirectory).Length : 0;
        checks.Add(new Check("The downloads were cleaned up", leftovers == 0, $"{leftovers} files left in the download folder"));

        var running = fleet.Workers.Count(w => !w.HasExited);
        checks.Add(new Check("No worker process is left", running == 0, $"{fleet.Workers.Count} started, {running} still running"));

        return new RunReport(container, attempts, feed, fleet, kills, killsRequested, checks);
    }

    public void Print(string outcome, TimeSpan wallTime)
    {
        var tasks = Container.Tasks;
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Steps[/]")
            .AddColumn("step").AddColumn("attempts", c => c.RightAligned()).AddColumn("completed by").AddColumn("what happened before");
        var fates = new AttemptFates(Fleet);
        foreach (var task in tasks)
        {
            var history = Attempts.Where(a => a.Task == task.Name).OrderBy(a => a.FencingToken)
                .Where(a => a.Outcome != AttemptRecord.Completed)
                .Select(a => $"#{a.Attempt} {AttemptFates.Describe(fates.Of(a), a.Worker)}");
            table.AddRow(
                Markup.Escape(task.Name),
                task.InvokeCount.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Attempts.FirstOrDefault(a => a.Task == task.Name && a.Outcome == AttemptRecord.Completed)?.Worker ?? "-"),
                Markup.Escape(string.Join(", ", history)));
        }

        AnsiConsole.Write(table);

        var attempts = tasks.Sum(t => t.InvokeCount);
        var resumedDownloads = Attempts.Where(a => a.Task.StartsWith("download ", StringComparison.Ordinal) && a.ResumedFrom > 0).ToList();
        var resumedImports = Attempts.Where(a => a.Task.StartsWith("import ", StringComparison.Ordinal) && a.ResumedFrom > 0).ToList();
        var figures = new Grid().AddColumn().AddColumn();
        void Figure(string name, string value) => figures.AddRow($"[bold]{Markup.Escape(name)}[/]", Markup.Escape(value));
        Figure("Run", $"{Container.Name}: {outcome}, in {wallTime.TotalSeconds:0.0} s");
        Figure("Steps", $"{tasks.Count} ({Container.CompletedCount} completed, {Container.FailedCount} failed)");
        Figure("Attempts", $"{attempts}: {fates.Summary(Attempts, attempts)}");
        Figure("Retries", $"{attempts - tasks.Count}");
        Figure("Crashes survived", $"{Kills.Count} workers killed (of {KillsRequested} planned), {Fleet.Workers.Count} worker processes in all");
        foreach (var kill in Kills)
        {
            Figure("", $"{kill.At.TotalSeconds:0.0} s: {kill.Worker} killed in {string.Join(", ", kill.Steps)}");
        }

        var finished = Fleet.Workers.Where(w => w.Result is not null).Select(w => $"{w.Name} {w.Result!.Completed}/{w.Result.Leased}");
        Figure("Workers' own count", $"steps completed/leases taken, by the workers that ended normally: {string.Join(", ", finished)}");
        Figure("Bytes", $"{Mb(Feed.Sum(f => f.Bytes))} MB downloaded, verified and imported ({Feed.Sum(f => f.Rows):N0} rows)");
        Figure("Resumed", $"{resumedDownloads.Count} downloads from their checkpoint ({Mb(resumedDownloads.Sum(a => a.ResumedFrom))} MB not fetched again), {resumedImports.Count} imports ({resumedImports.Sum(a => a.ResumedFrom):N0} rows not read again)");
        AnsiConsole.Write(figures);

        AnsiConsole.MarkupLine(ProofHolds ? "[bold green]Proof: nothing was lost or done twice.[/]" : "[bold red]Proof FAILED.[/]");
        foreach (var check in Checks)
        {
            AnsiConsole.MarkupLine($"  {(check.Holds ? "[green]✓[/]" : "[red]✗[/]")} {Markup.Escape(check.Claim)}: {Markup.Escape(check.Evidence)}");
        }

        foreach (var worker in Fleet.Workers.Where(w => !w.Killed && w.HasExited && w.Process.ExitCode != 0))
        {
            // The whole exception, type and message first: the cause is in its first line, not in a stack trace's tail.
            AnsiConsole.MarkupLine($"[red]{worker.Name} exited with {worker.Process.ExitCode}:[/]");
            foreach (var line in worker.Failure)
            {
                AnsiConsole.WriteLine("  " + line);
            }
        }
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>What became of an attempt, from the worker's own record and what the supervisor knows of the worker.</summary>
internal enum AttemptFate
{
    Completed,
    FailedOnPurpose,
    Failed,

    /// <summary>The lease expired while the worker lived (renewals came too late) and another worker took over.</summary>
    LeaseLost,

    /// <summary>No outcome: the supervisor killed the worker during the attempt.</summary>
    LostWithKilledWorker,

    /// <summary>No outcome: the worker exited with an error during the attempt.</summary>
    LostWithCrashedWorker,

    /// <summary>No outcome, and the worker was neither killed nor crashed (it was still running when the run ended).</summary>
    Unfinished,
}

/// <summary>
/// Tells apart the ways an attempt can end without completing, so that the report says what really happened: a
/// lease that expired on a slow network is not a killed worker.
/// </summary>
internal sealed class AttemptFates(IReadOnlySet<string> killedWorkers, IReadOnlySet<string> crashedWorkers)
{
    public AttemptFates(WorkerFleet fleet)
        : this(
            fleet.Workers.Where(w => w.Killed).Select(w => w.Name).ToHashSet(),
            fleet.Workers.Where(w => !w.Killed && w.HasExited && w.Process.ExitCode != 0).Select(w => w.Name).ToHashSet())
    {
    }

    public AttemptFate Of(AttemptRecord attempt) => attempt.Outcome switch
    {
        AttemptRecord.Completed => AttemptFate.Completed,
        AttemptRecord.Failed when attempt.Error?.StartsWith(nameof(InjectedFailureException), StringComparison.Ordinal) == true => AttemptFate.FailedOnPurpose,
        AttemptRecord.Failed => AttemptFate.Failed,
        AttemptRecord.LeaseLost => AttemptFate.LeaseLost,
        _ when killedWorkers.Contains(attempt.Worker) => AttemptFate.LostWithKilledWorker,
        _ when crashedWorkers.Contains(attempt.Worker) => AttemptFate.LostWithCrashedWorker,
        _ => AttemptFate.Unfinished,
    };

    public static string Describe(AttemptFate fate, string worker) => fate switch
    {
        AttemptFate.Completed => $"completed by {worker}",
        AttemptFate.FailedOnPurpose => "failed on purpose",
        AttemptFate.Failed => $"failed under {worker}",
        AttemptFate.LeaseLost => $"lease expired under {worker}, which lived on",
        AttemptFate.LostWithKilledWorker => $"lost with {worker} (killed)",
        AttemptFate.LostWithCrashedWorker => $"lost with {worker} (crashed)",
        _ => $"unfinished by {worker}",
    };

    /// <summary>
    /// The attempts by fate, in words; <paramref name="taken"/> is the library's count of attempts (leases taken), of
    /// which those no worker recorded were taken by a worker that died before it could write its record.
    /// </summary>
    public string Summary(IReadOnlyList<AttemptRecord> recorded, int taken)
    {
        var counts = recorded.GroupBy(Of).ToDictionary(g => g.Key, g => g.Count());
        int Count(AttemptFate fate) => counts.GetValueOrDefault(fate);
        var parts = new List<string> { $"{Count(AttemptFate.Completed)} completed" };
        void Add(int count, string what)
        {
            if (count > 0)
            {
                parts.Add($"{count} {what}");
            }
        }

        Add(Count(AttemptFate.FailedOnPurpose), "failed on purpose");
        Add(Count(AttemptFate.Failed), "failed");
        Add(Count(AttemptFate.LostWithKilledWorker), "lost with killed workers");
        Add(Count(AttemptFate.LeaseLost), "lost when their lease expired while the worker lived");
        Add(Count(AttemptFate.LostWithCrashedWorker), "lost with crashed workers");
        Add(Count(AttemptFate.Unfinished), "unfinished when the run ended");
        Add(taken - recorded.Count, "taken by a worker that died before recording them");
        return string.Join(", ", parts);
    }
}
