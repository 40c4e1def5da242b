using System.Diagnostics;
using System.Globalization;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Reliability.Tests;

// Part 5: model check. Random, seeded sequences of operations from several clients (each its own MongoClient and
// connections) are compared with ReferenceModel. Phase 1 serializes them (a seeded scheduler gives each turn to one
// client, so the order the server applies is the order the model applies) and compares every outcome, checks that
// each write that changed a task moved the container's updatedAt (Invariants.CheckChange) and, every few operations,
// compares the whole stored state. Some leases are let expire (a worker that vanished), so lease attempts also fail
// exhausted tasks and their dependents. Phase 2 lets the clients run truly concurrently and checks invariants only.
// Reproduce a run with RELIABILITY_SEED=<seed>; RELIABILITY_OPS=<n> changes the length of phase 1.
public sealed class ModelCheckTests(MongoFixture fixture)
{
    private const int Clients = 4;
    private const string Serialized = "model";
    private const string Concurrent = "model-concurrent";
    private static readonly string[] Names = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"];
    private static readonly double[] Percentages = [0, 12.5, 50, 99.9, 100];
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromHours(1);

    private static CancellationToken Token => ReliabilityContext.Token;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SEED"), CultureInfo.InvariantCulture, out var seed)
        ? seed
        : Environment.TickCount & 0x7fffffff;

    private static int Operations => int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_OPS"), CultureInfo.InvariantCulture, out var ops) ? ops : 10_000;

    [Fact]
    public async Task Serialized_random_operations_from_four_clients_agree_with_the_reference_model()
    {
        var seed = Seed;
        Figures.Print($"model check seed {seed} (RELIABILITY_SEED={seed} reproduces it)");
        var random = new Random(seed);
        using var context = new ReliabilityContext(fixture, typeof(ModelCheckTests), o => o.RenewLeases = false);
        var clients = new List<(TaskStatusClient Client, MongoClient Mongo, TaskContainer Container, List<(TaskLease Real, ModelLease Model)> Leases)>();
        var model = new ReferenceModel();
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                var client = context.NewClient(out var mongo, o => o.RenewLeases = false);
                var (container, _) = await client.GetOrCreateTaskContainerAsync(Serialized, Token);
                clients.Add((client, mongo, container, []));
            }

            model.GetOrCreate();
            var stored = await context.StoredAsync(Serialized);
            var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var watch = Stopwatch.StartNew();
            var total = Operations;
            for (var op = 0; op < total; op++)
            {
                var who = random.Next(Clients);
                var (_, _, container, leases) = clients[who];
                var client = clients[who].Client;
                var name = Names[random.Next(Names.Length)];
                string kind;
                string expected;
                Func<Task<string>> real;
                var roll = random.Next(100);
                if (!model.Exists && random.Next(2) == 0)
                {
                    roll = -1;
                }

                ModelLease? newLease = null;
                switch (roll)
                {
                    case -1:
                        kind = "get or create container";
                        expected = model.GetOrCreate().ToString();
                        real = async () => (await client.GetOrCreateTaskContainerAsync(Serialized, Token)).Created.ToString();
                        break;
                    case < 2:
                        kind = "delete container";
                        expected = model.DeleteContainer().ToString();
                        real = async () => (await client.DeleteTaskContainerAsync(Serialized, Token)).ToString();
                        break;
                    case < 16:
                    {
                        kind = "add task";
                        // Mostly a task that exists, so that chains form and a failure has dependents to fail.
                        var dependency = model.Tasks.Count > 0 && random.Next(10) < 8 ? model.Tasks[random.Next(model.Tasks.Count)].Name : Names[random.Next(Names.Length)];
                        string[] dependsOn = random.Next(10) < 5 && dependency != name ? [dependency] : [];
                        var retries = random.Next(3);
                        expected = model.Add(name, dependsOn, retries);
                        real = async () => Describe(await container.AddTaskAsync(name, new TaskOptions { DependsOn = dependsOn, MaxRetries = retries, RetryDelay = TimeSpan.Zero }, Token));
                        break;
                    }

                    case < 28:
                    {
                        kind = "progress";
                        var percentage = Percentages[random.Next(Percentages.Length)];
                        expected = model.Progress(name, percentage);
                        real = async () => Describe(await container.UpdateProgressAsync(name, percentage, cancellationToken: Token));
                        break;
                    }

                    case < 36:
                    {
                        var status = (TaskRunStatus)random.Next(4);
                        kind = "update task status " + status;
                        expected = model.SetStatus(name, status);
                        real = async () => Describe(await container.UpdateTaskAsync(name, new TaskChanges { Status = status }, Token));
                        break;
                    }

                    case < 41:
                        kind = "delete task";
                        expected = model.DeleteTask(name);
                        real = async () => (await container.DeleteTaskAsync(name, Token)).ToString();
                        break;
                    case < 45:
                    {
                        // A worker takes a 1 ms lease and vanishes: the lease expires by the database clock.
                        kind = "lease and let it expire";
                        var (modelOutcome, modelLease) = model.Lease();
                        expected = modelOutcome;
                        if (modelLease is not null)
                        {
                            model.Expire(modelLease);
                        }

                        var mongo = clients[who].Mongo;
                        real = async () =>
                        {
                            await using var lease = await container.TryLeaseNextTaskAsync($"client-{who}", TimeSpan.FromMilliseconds(1), Token);
                            if (lease is null)
                            {
                                return "no task";
                            }

                            await WaitForServerClockPastAsync(mongo, lease.State.LeasedTill!.Value);
                            return "leased " + Describe(lease.State);
                        };
                        break;
                    }

                    case < 57:
                    {
                        kind = "lease";
                        (expected, newLease) = model.Lease();
                        real = async () =>
                        {
                            var lease = await container.TryLeaseNextTaskAsync($"client-{who}", LeaseDuration, Token);
                            if (lease is null)
                            {
                                return "no task";
                            }

                            leases.Add((lease, newLease!));
                            return "leased " + Describe(lease.State);
                        };
                        break;
                    }

                    case < 92 when leases.Count > 0:
                    {
                        // Mostly a live lease, sometimes an ended or lost one.
                        var live = leases.Where(l => !l.Model.Ended && !l.Model.Lost).ToList();
                        var (lease, modelLease) = live.Count > 0 && random.Next(10) < 8 ? live[random.Next(live.Count)] : leases[random.Next(leases.Count)];
                        var write = new[] { "progress", "renew", "complete", "fail", "release" }[random.Next(5)];
                        var percentage = Percentages[random.Next(Percentages.Length)];
                        kind = "lease " + write;
                        expected = model.LeaseWrite(modelLease, write, percentage);
                        real = async () => Describe(write switch
                        {
                            "progress" => await lease.ReportProgressAsync(percentage, cancellationToken: Token),
                            "renew" => await lease.RenewAsync(Token),
                            "complete" => await lease.CompleteAsync(cancellationToken: Token),
                            "fail" => await lease.FailAsync(new InvalidOperationException("model check"), Token),
                            _ => await lease.ReleaseAsync(Token),
                        });
                        break;
                    }

                    default:
                    {
                        // Most resets aim at a task that failed because its dependency failed, when there is one.
                        var failedByDependency = model.Tasks.Where(t => t.Status == "failed" && t.ErrorType == ReferenceModel.DependencyFailed).ToList();
                        var target = failedByDependency.Count > 0 && random.Next(4) > 0 ? failedByDependency[random.Next(failedByDependency.Count)].Name : name;
                        name = target;
                        kind = failedByDependency.Exists(t => t.Name == target) ? "reset task failed by a dependency" : "reset task";
                        expected = model.Reset(target);
                        real = async () => Describe(await container.ResetTaskAsync(target, Token));
                        break;
                    }
                }

                string actual;
                try
                {
                    actual = await real();
                }
                catch (TaskStateException ex) when (ex.FailedDependencies.Count > 0)
                {
                    actual = ReferenceModel.Refused(ex.FailedDependencies);
                }
                catch (Exception ex) when (ex is TaskStatusException or InvalidOperationException)
                {
                    actual = ex.GetType().Name;
                }

                counts[kind] = counts.GetValueOrDefault(kind) + 1;
                var outcome = expected.Contains(' ', StringComparison.Ordinal) ? "success"
                    : expected.StartsWith(nameof(TaskStateException) + ":", StringComparison.Ordinal) ? "TaskStateException naming the failed tasks to reset"
                    : expected;
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                Assert.True(
                    expected == actual,
                    $"Divergence at operation {op} (seed {seed}): client {who} {kind} '{name}': the model says '{expected}', the library did '{actual}'.");
                var before = stored;
                stored = await context.StoredAsync(Serialized);
                var unmoved = Invariants.CheckChange(before, stored);
                Assert.True(unmoved.Count == 0, $"Operation {op} (seed {seed}): client {who} {kind} '{name}': " + string.Join("; ", unmoved));

                // Leases that ended or were lost are dropped now and then, so the lists stay short.
                if (leases.Count > 12)
                {
                    leases.RemoveAll(l => l.Model.Ended || l.Model.Lost);
                }

                if (op % 20 == 19 || op == total - 1)
                {
                    await CompareStateAsync(context, model, seed, op);
                }
            }

            Figures.Print($"model check: {total} operations in {watch.Elapsed.TotalSeconds:0.0} s, seed {seed}, divergences 0");
            Figures.Print("operations per kind: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
            Figures.Print("outcomes: " + string.Join(", ", outcomes.Select(c => $"{c.Key} {c.Value}")));
            Figures.Print($"lease writes refused from a handle of an earlier incarnation of the container (same name and token): {model.StaleIncarnationWritesRefused}");
            Figures.Add("operations model-checked (serialized, 4 clients), divergences 0", total);
            var dependencyResets = counts.GetValueOrDefault("reset task failed by a dependency");
            Figures.Print($"resets of a task that failed because its dependency failed: {dependencyResets}");
            Figures.Add("resets of a task failed by its dependency, model-checked (refused naming the root cause, or reset when nothing blocks it)", dependencyResets);
            if (total >= 2000)
            {
                Assert.True(dependencyResets > 0, $"seed {seed}: no reset of a task that failed because of a dependency was tried");
            }
        }
        finally
        {
            foreach (var (client, mongo, _, _) in clients)
            {
                client.Dispose();
                mongo.Dispose();
            }
        }
    }

    [Fact]
    public async Task Truly_concurrent_random_operations_keep_every_invariant()
    {
        var seed = Seed;
        Figures.Print($"concurrent phase seed {seed}");
        const int OpsPerClient = 1000;
        using var context = new ReliabilityContext(fixture, typeof(ModelCheckTests), o => o.RenewLeases = false);
        await context.Client.GetOrCreateTaskContainerAsync(Concurrent, Token);
        var unexpected = new List<string>();
        var violations = new List<string>();
        var polls = 0;
        using var stop = new CancellationTokenSource();

        async Task PollAsync()
        {
            var completed = new Dictionary<string, BsonDocument>(StringComparer.Ordinal);
            while (!stop.IsCancellationRequested)
            {
                var document = await context.StoredAsync(Concurrent);
                polls++;
                if (document is not null)
                {
                    violations.AddRange(Invariants.Check(document));
                    foreach (var task in document["tasks"].AsBsonArray.Select(t => t.AsBsonDocument))
                    {
                        var name = task["name"].AsString;
                        if (task["invokeCount"].ToInt32() > task["maxRetries"].ToInt32() + 1)
                        {
                            violations.Add($"{name}: {task["invokeCount"]} attempts with {task["maxRetries"]} retries");
                        }

                        if (completed.TryGetValue(name, out var before) && before["createdAt"] == task["createdAt"] && before != task)
                        {
                            violations.Add($"{name} changed after it completed: {before} then {task}");
                        }

                        if (task["status"] == "completed")
                        {
                            completed[name] = task;
                        }
                        else
                        {
                            completed.Remove(name);
                        }
                    }
                }

                await Task.Delay(5, CancellationToken.None);
            }
        }

        var counts = new int[Clients];
        async Task ClientAsync(int index)
        {
            var random = new Random(seed + index + 1);
            using var client = context.NewClient(out var mongo, o => o.RenewLeases = false);
            using var _ = mongo;
            var container = (await client.GetTaskContainerAsync(Concurrent, Token))!;
            var leases = new List<TaskLease>();
            for (var op = 0; op < OpsPerClient; op++)
            {
                var name = Names[random.Next(Names.Length)];
                try
                {
                    switch (random.Next(100))
                    {
                        case < 15:
                            var dependency = Names[random.Next(Names.Length)];
                            await container.AddTaskAsync(name, new TaskOptions { DependsOn = dependency != name && random.Next(3) == 0 ? [dependency] : [], MaxRetries = random.Next(3), RetryDelay = TimeSpan.Zero }, Token);
                            break;
                        case < 30:
                            await container.UpdateProgressAsync(name, Percentages[random.Next(Percentages.Length)], cancellationToken: Token);
                            break;
                        case < 36:
                            await container.DeleteTaskAsync(name, Token);
                            break;
                        case < 52:
                            if (await container.TryLeaseNextTaskAsync($"c{index}", LeaseDuration, Token) is { } lease)
                            {
                                leases.Add(lease);
                            }

                            break;
                        case < 92 when leases.Count > 0:
                            var held = leases[random.Next(leases.Count)];
                            switch (random.Next(5))
                            {
                                case 0: await held.ReportProgressAsync(Percentages[random.Next(Percentages.Length)], cancellationToken: Token); break;
                                case 1: await held.RenewAsync(Token); break;
                                case 2: await held.CompleteAsync(cancellationToken: Token); break;
                                case 3: await held.FailAsync(new InvalidOperationException("concurrent"), Token); break;
                                default: await held.ReleaseAsync(Token); break;
                            }

                            break;
                        default:
                            await container.ResetTaskAsync(name, Token);
                            break;
                    }
                }
                catch (Exception ex) when (ex is TaskStatusException or InvalidOperationException)
                {
                }
                catch (Exception ex)
                {
                    lock (unexpected)
                    {
                        unexpected.Add($"client {index} op {op}: {ex}");
                    }
                }

                leases.RemoveAll(l => l.IsEnded || l.IsLost);
                counts[index]++;
            }
        }

        var poller = Task.Run(PollAsync, Token);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(ClientAsync));
        await stop.CancelAsync();
        await poller;

        var final = await context.StoredAsync(Concurrent);
        violations.AddRange(Invariants.Check(final!));
        Assert.True(unexpected.Count == 0, $"seed {seed}: " + string.Join(Environment.NewLine, unexpected.Take(5)));
        Assert.True(violations.Count == 0, $"seed {seed}: " + string.Join(Environment.NewLine, violations.Distinct().Take(10)));
        Figures.Print($"concurrent phase: {counts.Sum()} operations from {Clients} clients in {watch.Elapsed.TotalSeconds:0.0} s, {polls} snapshots checked, violations 0");
        Figures.Add("operations run concurrently (4 clients) with every invariant checked, violations 0", counts.Sum());
    }

    /// <summary>Waits until the server's clock (hello's localTime) is past <paramref name="instant"/>.</summary>
    private static async Task WaitForServerClockPastAsync(MongoClient mongo, DateTime instant)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var hello = await mongo.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: Token);
            if (hello["localTime"].ToUniversalTime() > instant)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the server's clock did not pass {instant:O}");
            await Task.Delay(1, Token);
        }
    }

    private static string Describe(TaskState task) =>
        $"{task.Name} {task.Status.ToString().ToLowerInvariant()} {task.PercentageComplete}% attempts {task.InvokeCount} token {task.FencingToken}";

    private static async Task CompareStateAsync(ReliabilityContext context, ReferenceModel model, int seed, int op)
    {
        var stored = await context.StoredAsync(Serialized);
        Assert.True(model.Exists == stored is not null, $"Divergence after operation {op} (seed {seed}): the model says the container exists: {model.Exists}");
        if (stored is null)
        {
            return;
        }

        var problems = Invariants.Check(stored);
        Assert.True(problems.Count == 0, $"seed {seed}, operation {op}: " + string.Join("; ", problems));
        var expected = model.Tasks.Select(t => t.Full()).ToList();
        var actual = stored["tasks"].AsBsonArray.Select(t => ModelTask.Full(t.AsBsonDocument)).ToList();
        Assert.True(
            expected.SequenceEqual(actual),
            $"Divergence after operation {op} (seed {seed}):{Environment.NewLine}model:{Environment.NewLine}{string.Join(Environment.NewLine, expected)}{Environment.NewLine}stored:{Environment.NewLine}{string.Join(Environment.NewLine, actual)}");
        Assert.Equal(model.LastToken, stored.GetValue("lastToken", 0L).ToInt64());
    }
}
