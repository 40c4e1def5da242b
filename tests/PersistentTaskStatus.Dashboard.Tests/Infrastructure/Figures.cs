namespace PersistentTaskStatus.Dashboard.Tests.Infrastructure;

/// <summary>
/// Figures measured by the tests (page weight, update latency, change streams), written to the test's output and
/// to <c>TestResults/dashboard-figures.txt</c> beside the test assembly. They are reported, never asserted on time.
/// </summary>
public static class Figures
{
    private static readonly object Gate = new();

    public static string FilePath { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard-figures.txt");

    public static void Record(string what, string value)
    {
        var line = $"{what}: {value}";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine("FIGURE " + line);
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            File.AppendAllText(FilePath, $"{DateTime.UtcNow:O} {line}{Environment.NewLine}");
        }
    }
}
