using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using PersistentTaskStatus.Benchmarks.Infrastructure;

// dotnet run -c Release --project tests/PersistentTaskStatus.Benchmarks -- [--quick] [--in-process] [BenchmarkDotNet options]
//   --quick       a short job (1 launch, 2 warm-ups, 5 iterations) run in this process, with the test server in a
//                 process of its own (as --server-process): about one minute. With the in-process server, all cases
//                 in one process took 13 minutes: the server's state grows through the run (every write is kept for
//                 change streams) and each case's forced GCs between iterations got slower than the one before.
//   --in-process  the default job, but run in this process instead of one process per case
//   --server-process  the test server in a process of its own (MONGODB_URI is set to it), so that the allocated
//                     bytes are the client's only; without it the server runs inside each benchmark process and its
//                     allocations count too
//   without a --filter, every benchmark runs. MONGODB_URI picks a MongoDB instead of the in-process test server.
var quick = args.Contains("--quick");
var inProcess = quick || args.Contains("--in-process");
var serverProcess = quick || args.Contains("--server-process");
var rest = args.Where(a => a is not ("--quick" or "--in-process" or "--server-process")).ToList();
if (!rest.Contains("--filter") && !rest.Contains("-f") && !rest.Contains("--list"))
{
    rest.AddRange(["--filter", "*"]);
}

// Wire sizes travel from the benchmark processes to this one through files; child processes inherit the variable.
Environment.SetEnvironmentVariable(
    WireResults.DirectoryVariable,
    Path.Combine(Path.GetFullPath("BenchmarkDotNet.Artifacts"), "wire-bytes"));
WireResults.Clear();

using var server = serverProcess ? ServerProcess.Start() : null;
if (server is not null)
{
    Environment.SetEnvironmentVariable("MONGODB_URI", server.ConnectionString);
    await ServerWarmUp.RunAsync();
}

// Every operation here takes 100 us or more, so BenchmarkDotNet's overhead stages (which measure an empty call of a
// few nanoseconds, and took seconds per case next to the in-process server) are skipped.
var job = quick
    ? Job.Default.WithId("Quick").WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(150))
    : Job.Default;
job = job.WithEvaluateOverhead(false);
if (inProcess)
{
    job = job.WithToolchain(InProcessEmitToolchain.Instance);
}

var config = DefaultConfig.Instance
    .AddJob(job.AsDefault())
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(CategoriesColumn.Default, WireBytesColumn.Request, WireBytesColumn.Reply)
    .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory)
    .HideColumns(Column.Gen0, Column.Gen1, Column.Gen2, Column.Median);

BenchmarkSwitcher.FromAssembly(typeof(ContainerBenchmark).Assembly).Run([.. rest], config);
