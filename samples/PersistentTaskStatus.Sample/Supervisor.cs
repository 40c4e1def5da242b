using System.Diagnostics;
using System.Runtime.InteropServices;
using MongoDB.Driver;
using PersistentTaskStatus.TestServer;
using Spectre.Console;

namespace PersistentTaskStatus.Sample;

/// <summary>A worker killed by the supervisor, and what it held at that moment.</summary>
internal sealed record KillRecord(string Worker, IReadOnlyList<string> Steps, TimeSpan At);

/// <summary>
/// The main process: generates the feed, hosts MongoDB (unless MONGODB_URI names one), creates the hour's container
/// with its first step, starts the worker processes, shows their progress, kills some of them in mid-step, and in
/// the end proves from the database that nothing was lost or done twice.
/// </summary>
internal static class Supervisor
{
    private const int ChunkBytes = 256 * 1024;

    // How often the supervisor looks at its workers and the clock when the container does not change.
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(SampleOptions options)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        // A SIGTERM (docker stop, systemd) stops the run the same way, so the workers and temporary files go too.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });

        var clock = Stopwatch.StartNew();
        var workDirectory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"pts-sample-{Guid.NewGuid():N}");
        try
        {
            return await RunInAsync(options, workDirectory, clock, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            AnsiConsole.MarkupLine("[yellow]Interrupted: the workers were stopped; the container keeps the run's state.[/]");
            return 130;
        }
        finally
        {
            if (options.WorkDirectory is null && Directory.Exists(workDirectory))
            {
                Directory.Delete(workDirectory, recursive: true);
            }
        }
    }

    private static async Task<int> RunInAsync(SampleOptions options, string workDirectory, Stopwatch clock, CancellationToken cancellationToken)
    {
        // The feed, on the "remote" side.
        var feedDirectory = Path.Combine(workDirectory, "feed");
        var downloadDirectory = Path.Combine(workDirectory, "downloads");
        if (Directory.Exists(downloadDirectory))
        {
            Directory.Delete(downloadDirectory, recursive: true);
        }

        var feed = Feed.Generate(feedDirectory, options.Files, (long)(options.FileSizeMb * 1024 * 1024), options.Seed);
        AnsiConsole.MarkupLine($"Feed: [bold]{feed.Count}[/] files of {options.FileSizeMb:0.##} MB ({feed.Sum(f => f.Rows):N0} rows) in {Markup.Escape(feedDirectory)}");

        // MongoDB: the one in MONGODB_URI, else the in-process test server, which the workers reach over TCP.
        var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
        await using var embedded = string.IsNullOrWhiteSpace(uri) ? await MongoTestServer.StartAsync(new MongoTestServerOptions { Port = 0 }) : null;
        var connectionString = embedded?.ConnectionString ?? uri!;
        AnsiConsole.MarkupLine(embedded is null
            ? $"MongoDB: from MONGODB_URI, database [bold]{Markup.Escape(options.Database)}[/]"
            : $"MongoDB: the in-process test server at {Markup.Escape(connectionString)}, database [bold]{Markup.Escape(options.Database)}[/] (set MONGODB_URI to use another)");

        using var mongo = new MongoClient(connectionString);
        await mongo.DropDatabaseAsync(options.Database, cancellationToken);
        var database = mongo.GetDatabase(options.Database);
        using var client = new TaskStatusClient(database);
        await using var dashboard = options.DashboardPort is { } port
            ? await SampleDashboard.StartAsync(connectionString, options.Database, port, cancellationToken)
            : null;

        // The hour's run: one container, named after the hour, created with the feed check as its first step.
        var containerName = $"feed-import:{DateTime.UtcNow:yyyy-MM-dd'T'HH}:00Z";
        var (container, _) = await client.GetOrCreateTaskContainerAsync(containerName, cancellationToken);
        await ImportJob.AddFeedCheckAsync(container, new StepData
        {
            FeedDirectory = feedDirectory,
            DownloadDirectory = downloadDirectory,
            ChunkBytes = ChunkBytes,
            BytesPerSecond = options.SpeedMbPerSecond * 1024 * 1024,

            // Room for the injected failures (first and second attempts only) and for each kill to cost an attempt.
            MaxRetries = 3 + options.Kills,
        });
        AnsiConsole.MarkupLine($"Container [bold]{Markup.Escape(containerName)}[/]: {options.Workers} worker processes, {options.Kills} to be killed, failure rate {options.FailureRate:0.##}");

        using var fleet = new WorkerFleet(options, connectionString, containerName);
        var data = new SampleCollections(database);
        var kills = new List<KillRecord>();
        var outcome = "";
        await ProgressDisplay.RunAsync(clock, options.Kills, async view =>
        {
            for (var i = 0; i < options.Workers; i++)
            {
                fleet.Start();
            }

            outcome = await SuperviseAsync(container, data, fleet, feed, view, options, kills, clock, cancellationToken);
        });

        // Workers that are still running now are stuck: the fleet kills them (no worker outlives the run).
        fleet.KillAll();
        await container.RefreshAsync(cancellationToken);
        var report = await RunReport.BuildAsync(container, data, feed, downloadDirectory, fleet, kills, options.Kills, cancellationToken);
        report.Print(outcome, clock.Elapsed);
        await (dashboard?.LingerAsync(cancellationToken) ?? Task.CompletedTask);
        return report.ProofHolds ? 0 : 1;
    }

    /// <summary>Watches the run until the container is complete, killing workers along the way; says how it ended.</summary>
    private static async Task<string> SuperviseAsync(
        TaskContainer container,
        SampleCollections data,
        WorkerFleet fleet,
        IReadOnlyList<FeedFile> feed,
        IRunView view,
        SampleOptions options,
        List<KillRecord> kills,
        Stopwatch clock,
        CancellationToken cancellationToken)
    {
        TimeSpan? lastKill = null;
        var victims = new VictimRules(new FailureInjector(options.FailureRate, options.Seed), feed);

        // The container's state as the workers wrote it, change by change, through the library's watch.
        await using var states = new ContainerStates(container, cancellationToken);
        var state = container;
        while (true)
        {
            if (await states.NextAsync(Tick, cancellationToken) is not { } next)
            {
                return "the container was deleted";
            }

            state = next;

            view.Update(state, fleet);
            if (state.IsComplete)
            {
                break;
            }

            if (fleet.Live == 0)
            {
                return "every worker exited before the run was complete";
            }

            if (clock.Elapsed > Deadline)
            {
                return $"the run did not complete within {Deadline.TotalMinutes} minutes";
            }

            // Kill a worker abruptly in mid-step, spaced out so that each crash is seen on its own; a replacement is
            // started at once, as a process supervisor (systemd, Kubernetes) would restart a crashed worker.
            if (kills.Count < options.Kills && (lastKill is null || clock.Elapsed - lastKill > ImportJob.LeaseDuration * 1.5)
                && await PickVictimAsync(state, container, data, fleet, victims, cancellationToken) is { } victim)
            {
                WorkerFleet.Kill(victim.Worker);
                var replacement = fleet.Start();
                lastKill = clock.Elapsed;
                kills.Add(new KillRecord(victim.Worker.Name, victim.Steps, clock.Elapsed));
                view.Note($"killed {victim.Worker.Name} in {string.Join(", ", victim.Steps)}; {replacement.Name} started");
            }
        }

        // Complete: each worker sees it at its next poll and exits by itself.
        var exited = await fleet.WaitForAllAsync(TimeSpan.FromSeconds(15));
        view.Update(state, fleet);
        return exited ? "complete" : "complete, but some workers did not exit by themselves";
    }

    /// <summary>
    /// A live worker in the middle of downloads or imports, one of them past its first checkpoint (so the kill
    /// interrupts real work that has a checkpoint to resume from), whose own records agree with what it holds; or null.
    /// </summary>
    /// <remarks>
    /// The kill must interrupt work, not the worker's bookkeeping. A worker writes an attempt's outcome in its own
    /// records just after the library took the completion: a kill in between would leave a completed step without
    /// its completion record, and the proof would fail on a crash the sample itself chose to cause. So the
    /// candidate's open records are read first, then the container again, and the kill goes ahead only if every open
    /// record is an attempt (by fencing token) that the worker still holds, and it holds nothing but downloads and
    /// imports at least two chunks or batches from their end, which cannot complete before the kill lands. One of them
    /// must be past its first checkpoint in an attempt that is not due to fail on purpose (the failures are decided by
    /// seed, step and attempt, so the supervisor knows them), with its record open: that attempt is the one the kill
    /// interrupts, and the next one resumes from its checkpoint.
    /// </remarks>
    private static async Task<(WorkerProcess Worker, IReadOnlyList<string> Steps)?> PickVictimAsync(
        TaskContainer seen,
        TaskContainer container,
        SampleCollections data,
        WorkerFleet fleet,
        VictimRules rules,
        CancellationToken cancellationToken)
    {
        foreach (var worker in fleet.Workers.Where(w => !w.Killed && !w.HasExited && rules.Interruptible(seen, w.Name) is not null))
        {
            var open = (await data.Attempts.Find(a => a.Worker == worker.Name && a.Outcome == null).ToListAsync(cancellationToken))
                .Select(a => (a.Task, a.FencingToken)).ToHashSet();
            await container.RefreshAsync(cancellationToken);
            if (rules.Interruptible(container, worker.Name) is { } held
                && open.IsSubsetOf(held.Select(t => (t.Name, t.FencingToken)))
                && held.Any(t => rules.IsResumable(t) && open.Contains((t.Name, t.FencingToken))))
            {
                return (worker, held.Select(t => t.Name).ToList());
            }
        }

        return null;
    }

    /// <summary>Which steps a kill may interrupt (see <see cref="PickVictimAsync"/>).</summary>
    private sealed class VictimRules(FailureInjector failures, IReadOnlyList<FeedFile> feed)
    {
        // How many checkpoints each download (chunks) and import (batches) takes in all.
        private readonly Dictionary<string, double> checkpoints = feed
            .SelectMany(f => new[]
            {
                (ImportJob.Download(f.Name), (double)f.Bytes / ChunkBytes),
                (ImportJob.Import(f.Name), (double)f.Rows / ImportJob.ImportBatch),
            })
            .ToDictionary(p => p.Item1, p => p.Item2);

        /// <summary>
        /// The steps the worker holds when they are all downloads or imports at least two checkpoints from their end
        /// and one of them is resumable, else null.
        /// </summary>
        public List<TaskState>? Interruptible(TaskContainer container, string worker)
        {
            var held = container.Tasks.Where(t => t.Status == TaskRunStatus.Running && t.LeaseOwner == worker).ToList();
            return held.Count > 0 && held.All(FarFromItsEnd) && held.Any(IsResumable) ? held : null;
        }

        /// <summary>Past its first checkpoint, in an attempt that is not due to fail on purpose.</summary>
        public bool IsResumable(TaskState task) =>
            task.PercentageComplete >= 15 && failures.FailurePoint(task.Name, task.InvokeCount) is null;

        private bool FarFromItsEnd(TaskState task) =>
            checkpoints.TryGetValue(task.Name, out var count) && (100 - task.PercentageComplete) / 100 * count >= 2;
    }
}
