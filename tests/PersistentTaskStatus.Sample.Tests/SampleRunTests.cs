using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Sample.Tests;

/// <summary>
/// Runs the sample small, as a user would (its executable, on the fixture's MongoDB through MONGODB_URI, with one
/// worker killed), then checks the end state in the database against the feed files, independently of the sample's
/// own proof.
/// </summary>
public sealed class SampleRunTests(MongoFixture fixture) : IDisposable
{
    private const int Files = 2;
    private readonly string workDirectory = Path.Combine(Path.GetTempPath(), $"pts-sample-test-{Guid.NewGuid():N}");
    private readonly string databaseName = MongoFixture.DatabaseNameFor(typeof(SampleRunTests));

    public void Dispose()
    {
        if (Directory.Exists(workDirectory))
        {
            Directory.Delete(workDirectory, recursive: true);
        }

        fixture.Client.DropDatabase(databaseName);
    }

    [Fact]
    public async Task A_small_run_with_failures_and_a_killed_worker_ends_with_every_step_done_once_and_every_row_imported()
    {
        // Seed 7 makes a download, a verify, an import and the clean-up fail on purpose in their first two attempts.
        // At 0.25 MB/s each 256 KB chunk of a download takes a second: the supervisor has time to kill in one even on
        // a busy machine, and it kills only where the kill interrupts a download (see Supervisor.PickVictimAsync).
        var (exitCode, output) = await RunSampleAsync(
            "--files", Files.ToString(CultureInfo.InvariantCulture), "--size", "1", "--speed", "0.25", "--failure-rate", "0.3",
            "--workers", "2", "--kills", "1", "--seed", "7", "--database", databaseName, "--work-dir", workDirectory);
        Assert.True(exitCode == 0, $"The sample exited with {exitCode}:\n{output}");
        Assert.Contains("Proof: nothing was lost or done twice.", output, StringComparison.Ordinal);
        Assert.Contains("1 workers killed (of 1 planned)", output, StringComparison.Ordinal);

        var database = fixture.Client.GetDatabase(databaseName);
        var feedDirectory = Path.Combine(workDirectory, "feed");
        var feedFiles = Directory.GetFiles(feedDirectory, "*.csv").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Files, feedFiles.Count);

        // The container: complete, nothing failed, the planned steps all completed.
        var containers = await database.GetCollection<BsonDocument>("taskContainers").Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token);
        var containerName = Assert.Single(containers)["name"].AsString;
        using var client = new TaskStatusClient(database);
        var container = (await client.GetTaskContainerAsync(containerName, Token))!;
        Assert.True(container.IsComplete);
        Assert.False(container.HasFailed);
        string[] expected =
        [
            "check-feed",
            .. feedFiles.Select(f => $"download {f}"),
            .. feedFiles.SelectMany(f => new[] { $"verify {f}", $"import {f}" }),
            "rebuild-indexes",
            "clean-up",
        ];
        Assert.Equal(expected, container.Tasks.Select(t => t.Name));
        Assert.All(container.Tasks, t => Assert.Equal(TaskRunStatus.Completed, t.Status));
        Assert.All(container.Tasks, t => Assert.Equal(100, t.PercentageComplete));

        // The workers' own account of every attempt: one completion per step, by the step's last lease; no more
        // attempts recorded than the library counted; and the killed worker's attempt shows, unfinished.
        var attempts = await database.GetCollection<BsonDocument>("attempts").Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(Token);
        foreach (var task in container.Tasks)
        {
            var mine = attempts.Where(a => a["Task"].AsString == task.Name).ToList();
            var completion = Assert.Single(mine, a => a["Outcome"] == "completed");
            Assert.Equal(task.FencingToken, completion["FencingToken"].ToInt64());
            Assert.InRange(mine.Count, 1, task.InvokeCount);
        }

        // The supervisor kills in a download that will not fail on purpose, past its first checkpoint, while the
        // worker's records agree with what it holds (Supervisor.PickVictimAsync): the killed attempt stays without an
        // outcome, the download is taken again, and the next attempt resumes from the checkpoint, in every run.
        Assert.Contains(attempts, a => a["Outcome"].IsBsonNull);
        Assert.Contains(container.Tasks, t => t.InvokeCount > 1 && (t.Name.StartsWith("download ", StringComparison.Ordinal) || t.Name.StartsWith("import ", StringComparison.Ordinal)));
        Assert.Contains(attempts, a => a["ResumedFrom"].ToInt64() > 0);

        var rows = database.GetCollection<BsonDocument>("rows");
        foreach (var file in feedFiles)
        {
            var path = Path.Combine(feedDirectory, file!);
            var lines = (await File.ReadAllLinesAsync(path, Token)).Skip(1).ToList();

            // Checkpoints: each download saved the whole file's length, each import the file's row count.
            var download = container.Tasks.Single(t => t.Name == $"download {file}");
            Assert.Equal(new FileInfo(path).Length, download.ProcessingData!["Offset"].ToInt64());
            var import = container.Tasks.Single(t => t.Name == $"import {file}");
            Assert.Equal(lines.Count, import.ProcessingData!["Rows"].ToInt32());

            // The verified checksum is the source file's.
            await using (var stream = File.OpenRead(path))
            {
                var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, Token));
                Assert.Equal(sha, container.Tasks.Single(t => t.Name == $"verify {file}").ProcessingData!["Sha256"].AsString);
            }

            // Every row imported once, with the content of its line.
            var imported = await rows.Find(new BsonDocument("File", file)).Sort(new BsonDocument("Row", 1)).ToListAsync(Token);
            Assert.Equal(lines.Count, imported.Count);
            for (var i = 0; i < lines.Count; i++)
            {
                var fields = lines[i].Split(',', 4);
                Assert.Equal(i + 1, imported[i]["Row"].ToInt32());
                Assert.Equal(long.Parse(fields[0], CultureInfo.InvariantCulture), imported[i]["AppId"].ToInt64());
                Assert.Equal(fields[1], imported[i]["Title"].AsString);
                Assert.Equal(int.Parse(fields[2], CultureInfo.InvariantCulture), imported[i]["PriceCents"].ToInt32());
                Assert.Equal(fields[3], imported[i]["Thumbnail"].AsString);
            }
        }

        Assert.Equal(feedFiles.Count, await database.GetCollection<BsonDocument>("importedFiles").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
        var indexes = await (await rows.Indexes.ListAsync(Token)).ToListAsync(Token);
        Assert.Equal(4, indexes.Count);
        Assert.Empty(Directory.GetFiles(Path.Combine(workDirectory, "downloads")));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<(int ExitCode, string Output)> RunSampleAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(SampleProcess.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["MONGODB_URI"] = fixture.ConnectionString },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Token);
        var errors = process.StandardError.ReadToEndAsync(Token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = await output + await errors;
        TestContext.Current.SendDiagnosticMessage(text);
        return (process.ExitCode, text);
    }
}

/// <summary>The sample's executable, copied beside the tests.</summary>
internal static class SampleProcess
{
    public static string Executable { get; } =
        Path.Combine(AppContext.BaseDirectory, "PersistentTaskStatus.Sample" + (OperatingSystem.IsWindows() ? ".exe" : ""));
}
