using System.Diagnostics;
using System.Threading.Channels;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Reliability.Tests;

// Part 2: worker processes killed with SIGKILL mid-task. Each is replaced by another process, which takes the task over
// once the dead worker's lease expired and resumes from its last checkpoint; over several crashes no task is lost and
// none is completed twice.
public sealed class CrashTests(MongoFixture fixture)
{
    private const int Tasks = 5;
    private const int Steps = 6;
    private const int StepMs = 100;
    private const int LeaseMs = 1000;
    private const int Crashes = 5;

    private static CancellationToken Token => ReliabilityContext.Token;

    [Fact]
    public async Task Killed_workers_are_replaced_and_their_successors_resume_from_the_checkpoint_without_losing_or_repeating_a_task()
    {
        using var context = new ReliabilityContext(fixture, typeof(CrashTests));
        var databaseName = context.Database.DatabaseNamespace.DatabaseName;
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("crash-run", Token);
        for (var i = 0; i < Tasks; i++)
        {
            // Sequential steps, so that each successor must first finish the task its predecessor died in.
            await container.AddTaskAsync($"step-{i}", new TaskOptions { RunAfterPrevious = true, MaxRetries = 10, RetryDelay = TimeSpan.Zero }, Token);
        }

        var kills = new List<(string Task, int Step, long FencingToken)>();
        var workers = new List<WorkerProcess>();
        try
        {
            for (var crash = 0; crash < Crashes; crash++)
            {
                var worker = WorkerProcess.Start(fixture.ConnectionString, databaseName, "crash-run", $"worker-{crash}", hold: true);
                workers.Add(worker);

                // Kill it in the middle of a task: after a checkpoint, with steps still to go (it holds there until killed).
                var (task, step, token) = await worker.WaitForCheckpointAsync(s => s >= 2 && s <= Steps - 2, TimeSpan.FromSeconds(30));
                worker.Kill();
                kills.Add((task, step, token));
                Figures.Print($"killed worker-{crash} (SIGKILL) in {task} after checkpoint {step}, fencing token {token}");
            }

            var last = WorkerProcess.Start(fixture.ConnectionString, databaseName, "crash-run", "worker-last");
            workers.Add(last);
            var exitCode = await last.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, $"the last worker exited with {exitCode}: {last.Output}");
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Kill();
                worker.Dispose();
            }
        }

        // Every task completed exactly once, by the lease that holds its final fencing token.
        var final = await context.Client.GetTaskContainerAsync("crash-run", Token);
        Assert.True(final!.IsComplete);
        Assert.False(final.HasFailed);
        Assert.Equal(Tasks, final.CompletedCount);
        var completions = await context.Database.GetCollection<BsonDocument>("completions").Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token);
        foreach (var task in final.Tasks)
        {
            var mine = completions.Where(c => c["task"] == task.Name).ToList();
            Assert.True(mine.Count == 1, $"{task.Name} was completed {mine.Count} times");
            Assert.Equal(task.FencingToken, mine[0]["fencingToken"].ToInt64());
            Assert.Equal(Steps, task.ProcessingData!["step"].ToInt32());
        }

        // Each successor resumed from the checkpoint its predecessor saved: never from zero.
        var starts = await context.Database.GetCollection<BsonDocument>("starts").Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token);
        foreach (var (task, step, token) in kills)
        {
            var successor = starts
                .Where(s => s["task"] == task && s["fencingToken"].ToInt64() > token)
                .OrderBy(s => s["fencingToken"].ToInt64())
                .First();
            var from = successor["fromStep"].ToInt32();
            Assert.True(from >= step && from > 0, $"{task}: the successor of fencing token {token} started from step {from}, the checkpoint was {step}");
            Assert.Equal(token + 1, successor["fencingToken"].ToInt64());
            Figures.Print($"{task}: {successor["owner"]} resumed from checkpoint {from} (attempt {successor["attempt"]}, fencing token {successor["fencingToken"]})");
        }

        await Invariants.AssertConsistentAsync(context.Raw);
        Figures.Add("worker processes killed (SIGKILL) mid-task and survived", kills.Count);
        Figures.Add("tasks completed across crashes, each exactly once (none lost, none twice)", Tasks);
    }

    /// <summary>A worker process (PersistentTaskStatus.Reliability.Worker, started with <c>dotnet</c>) and its output.</summary>
    private sealed class WorkerProcess : IDisposable
    {
        private readonly Process process;
        private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
        private readonly System.Text.StringBuilder output = new();

        private WorkerProcess(Process process)
        {
            this.process = process;
        }

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        /// <summary>Starts a worker; with <paramref name="hold"/> it waits after each checkpoint until <see cref="WaitForCheckpointAsync"/> lets it go on.</summary>
        public static WorkerProcess Start(string connectionString, string databaseName, string containerName, string owner, bool hold = false)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "PersistentTaskStatus.Reliability.Worker.dll");
            Assert.True(File.Exists(dll), $"The worker is not built beside the tests: {dll}");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = hold,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { dll, connectionString, databaseName, containerName, owner, Steps.ToString(System.Globalization.CultureInfo.InvariantCulture), StepMs.ToString(System.Globalization.CultureInfo.InvariantCulture), LeaseMs.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            if (hold)
            {
                start.ArgumentList.Add("hold");
            }

            var worker = new WorkerProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
            worker.process.OutputDataReceived += (_, e) => worker.Received(e.Data);
            worker.process.ErrorDataReceived += (_, e) => worker.Received(e.Data is null ? null : "stderr: " + e.Data);
            worker.process.Start();
            worker.process.BeginOutputReadLine();
            worker.process.BeginErrorReadLine();
            return worker;
        }

        public async Task<(string Task, int Step, long FencingToken)> WaitForCheckpointAsync(Func<int, bool> wanted, TimeSpan timeout)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
            cancel.CancelAfter(timeout);
            try
            {
                await foreach (var line in lines.Reader.ReadAllAsync(cancel.Token))
                {
                    var parts = line.Split(' ');
                    if (parts is not ["CHECKPOINT", var task, var step, var token])
                    {
                        continue;
                    }

                    if (wanted(int.Parse(step, System.Globalization.CultureInfo.InvariantCulture)))
                    {
                        return (task, int.Parse(step, System.Globalization.CultureInfo.InvariantCulture), long.Parse(token, System.Globalization.CultureInfo.InvariantCulture));
                    }

                    // Not this one: a held worker goes on to its next step.
                    if (process.StartInfo.RedirectStandardInput)
                    {
                        await process.StandardInput.WriteLineAsync("go");
                        await process.StandardInput.FlushAsync(cancel.Token);
                    }
                }
            }
            catch (OperationCanceledException) when (!Token.IsCancellationRequested)
            {
            }

            throw new TimeoutException($"The worker reported no wanted checkpoint within {timeout}: {Output}");
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
            cancel.CancelAfter(timeout);
            await process.WaitForExitAsync(cancel.Token);
            return process.ExitCode;
        }

        /// <summary>SIGKILL, the whole process tree: no finally block, no lease release, no goodbye.</summary>
        public void Kill()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }
        }

        public void Dispose() => process.Dispose();

        private void Received(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            lines.Writer.TryWrite(line);
        }
    }
}
