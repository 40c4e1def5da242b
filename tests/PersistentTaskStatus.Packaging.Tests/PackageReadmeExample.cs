namespace PersistentTaskStatus.Packaging.Tests;

/// <summary>
/// The C# example of src/PersistentTaskStatus/PACKAGE.md (the package's README), word for word between the snippet
/// markers (the repository's convention for README code: a <c>&lt;!-- snippet: NAME --&gt;</c> line before the block):
/// compiled here, run by a test, and compared with the README by another.
/// </summary>
internal static class PackageReadmeExample
{
    public const string Name = "package-readme-example";

    public static async Task RunAsync(IMongoDatabase database)
    {
        // begin-snippet: package-readme-example
        var client = new TaskStatusClient(database);   // an IMongoDatabase; one client per application
        var (container, _) = await client.GetOrCreateTaskContainerAsync("import:2026-11-28");
        await container.AddTaskAsync("download");
        await container.AddTaskAsync("import", new TaskOptions { DependsOn = ["download"] });

        // Any number of worker processes: each leases the next ready task, reports progress, and completes it by returning.
        await container.RunAsync("worker-1", async (lease, cancellationToken) =>
        {
            await lease.ReportProgressAsync(50, "half way", cancellationToken: cancellationToken);
        });
        // end-snippet
        client.Dispose();
    }
}
