using System.Globalization;

namespace PersistentTaskStatus.Sample;

/// <summary>
/// The command line, parsed simply: <c>--name value</c> pairs. The same options reach the worker processes, which
/// the supervisor starts with <c>worker</c> first and the connection details added.
/// </summary>
internal sealed class SampleOptions
{
    public const string WorkerVerb = "worker";

    // Defaults chosen to show every kind of trouble (injected failures, killed workers, resumed downloads) and still
    // finish in well under a minute on a 2-core machine.
    public int Files { get; private set; } = 4;

    public double FileSizeMb { get; private set; } = 8;

    public double SpeedMbPerSecond { get; private set; } = 4;

    public double FailureRate { get; private set; } = 0.3;

    public int Workers { get; private set; } = 3;

    public int Kills { get; private set; } = 2;

    public int Seed { get; private set; } = 1;

    public string Database { get; private set; } = "pts_sample";

    public string? WorkDirectory { get; private set; }

    public bool ShowHelp { get; private set; }

    /// <summary>The port of the dashboard (<c>--dashboard [PORT]</c>), or null without it.</summary>
    public int? DashboardPort { get; private set; }

    // Worker-only: set by the supervisor when it starts a worker process.
    public bool IsWorker { get; private set; }

    public string? ConnectionString { get; private set; }

    public string? Container { get; private set; }

    public string WorkerName { get; private set; } = "worker";

    public const string Help = """
        The PersistentTaskStatus sample: an hourly feed import run by worker processes that fail and get killed.

        Usage: dotnet run --project samples/PersistentTaskStatus.Sample -- [options]

          --files N          feed files to import                        (default 4)
          --size MB          size of each feed file, in MB                (default 8)
          --speed MB         simulated download speed per file, MB/s      (default 4)
          --failure-rate R   chance that an attempt fails on purpose, 0-1 (default 0.3)
          --workers N        worker processes running at a time           (default 3)
          --kills N          workers killed abruptly in mid-step          (default 2)
          --seed N           seed of the feed's content and the failures  (default 1)
          --database NAME    the database to use; emptied at start        (default pts_sample)
          --work-dir PATH    where the feed and the downloads go          (default: a temporary folder, deleted at the end)
          --dashboard [PORT] serve the dashboard on 127.0.0.1 while the run goes on (default port 5080; 0 picks a free one)
          -h, --help         this text

        MongoDB: the one in MONGODB_URI, else an in-process test server.
        Exit code: 0 when the proof holds (nothing lost, nothing done twice), 1 when it does not, 2 on bad options,
        130 when interrupted.
        """;

    /// <summary>Parses the arguments; throws <see cref="FormatException"/> with a message for the user.</summary>
    public static SampleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SampleOptions();
        var i = 0;
        if (args.Count > 0 && args[0] == WorkerVerb)
        {
            options.IsWorker = true;
            i = 1;
        }

        for (; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help" or "-?")
            {
                options.ShowHelp = true;
                continue;
            }

            if (name == "--dashboard" && !options.IsWorker)
            {
                var hasPort = i + 1 < args.Count && !args[i + 1].StartsWith('-');
                options.DashboardPort = hasPort ? Int(name, args[++i], min: 0, max: 65535) : SampleDashboard.DefaultPort;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new FormatException($"Option '{name}' needs a value (see --help).");
            }

            var value = args[++i];
            switch (name)
            {
                case "--files": options.Files = Int(name, value, min: 1, max: 50); break;
                case "--size": options.FileSizeMb = Number(name, value, min: 0.01, max: 1024); break;
                case "--speed": options.SpeedMbPerSecond = Number(name, value, min: 0.1, max: 10_000); break;
                case "--failure-rate": options.FailureRate = Number(name, value, min: 0, max: 1); break;
                case "--workers": options.Workers = Int(name, value, min: 1, max: 16); break;
                case "--kills": options.Kills = Int(name, value, min: 0, max: 20); break;
                case "--seed": options.Seed = Int(name, value, min: 0, max: int.MaxValue); break;
                case "--database": options.Database = value; break;
                case "--work-dir": options.WorkDirectory = value; break;
                case "--uri" when options.IsWorker: options.ConnectionString = value; break;
                case "--container" when options.IsWorker: options.Container = value; break;
                case "--name" when options.IsWorker: options.WorkerName = value; break;
                default: throw new FormatException($"Unknown option '{name}' (see --help).");
            }
        }

        if (options.IsWorker && (options.ConnectionString is null || options.Container is null))
        {
            throw new FormatException("A worker needs --uri and --container.");
        }

        return options;
    }

    /// <summary>The arguments that start a worker process on the same run.</summary>
    public IReadOnlyList<string> WorkerArguments(string connectionString, string container, string workerName) =>
    [
        WorkerVerb,
        "--uri", connectionString,
        "--database", Database,
        "--container", container,
        "--name", workerName,
        "--failure-rate", FailureRate.ToString(CultureInfo.InvariantCulture),
        "--seed", Seed.ToString(CultureInfo.InvariantCulture),
    ];

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"Option '{name}' takes a whole number from {min} to {max}, not '{value}'.");

    private static double Number(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"Option '{name}' takes a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{value}'.");
}
