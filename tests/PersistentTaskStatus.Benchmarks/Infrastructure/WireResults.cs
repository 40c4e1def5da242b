using System.Globalization;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>
/// Hands the wire sizes measured in a benchmark's <c>[GlobalSetup]</c> to the columns of the summary. The benchmark
/// may run in a process of its own (BenchmarkDotNet's default toolchain), so they travel through one small file per
/// case in the directory named by <see cref="DirectoryVariable"/>, which the host sets for itself and passes to its
/// benchmark processes.
/// </summary>
internal static class WireResults
{
    public const string DirectoryVariable = "PTS_BENCHMARK_WIRE_DIR";

    public static string Directory =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory
            ? directory
            : Path.Combine(Path.GetTempPath(), "pts-benchmark-wire");

    /// <summary>The key of a case: its class, its method and its parameters, as BenchmarkDotNet names them.</summary>
    public static string Key(string type, string method, string parameters) => $"{type}.{method}({parameters})";

    public static void Save(string key, WireSample sample)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(
            PathOf(key),
            string.Create(CultureInfo.InvariantCulture, $"{sample.RequestBytes} {sample.ReplyBytes} {sample.Commands}"));
    }

    public static WireSample? Load(string key)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return null;
        }

        var parts = File.ReadAllText(path).Split(' ');
        return new WireSample(
            double.Parse(parts[0], CultureInfo.InvariantCulture),
            double.Parse(parts[1], CultureInfo.InvariantCulture),
            double.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    public static void Clear()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static string PathOf(string key)
    {
        var safe = string.Concat(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '=' ? c : '_'));
        return Path.Combine(Directory, safe + ".txt");
    }
}
